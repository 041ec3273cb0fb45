import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, 'fixtures', 'stdout-lines.ts');
const run = (mode: string): string => execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, mode], { encoding: 'utf8' });

test('the stdout sink writes every line, in order, one per line, across turns of the event loop', () => {
  assert.equal(run('turn'), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
});

test('lines written in the turn a process exits in are not lost', () => {
  assert.equal(run('exit'), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
});

test('lines go through process.stdout.write when a host replaced it to capture output', () => {
  assert.equal(run('captured'), 'captured:{"n":1}\n{"n":2}\ncaptured:{"n":3}\ncaptured:{"n":4}\n');
});

test('lines written after a write that waits in the stdout stream come after it', () => {
  const script = [
    `import { stdoutSink } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'lib', 'runtime', 'logger.ts'))};`,
    // A write the stream has not finished (corked: it waits in the stream's buffer).
    `process.stdout.cork(); process.stdout.write('first\\n'); setTimeout(() => process.stdout.uncork(), 5);`,
    `stdoutSink('second');`,
  ].join('\n');
  assert.equal(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }), 'first\nsecond\n');
});
