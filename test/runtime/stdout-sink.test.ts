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
