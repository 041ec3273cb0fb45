import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from '../../bench/lib/child.ts';

test('a fresh node process reports over fd 3 while its stdout logs are discarded', async () => {
  const { report, wallMs } = await runChild<{ answer: number }>([
    '-e',
    "console.log('a log line the report must not mix with'); require('node:fs').writeSync(3, JSON.stringify({ answer: 42 }) + '\\n');",
  ]);
  assert.deepEqual(report, { answer: 42 });
  assert.ok(wallMs > 0);
});

test('a process that exits without a report is an error quoting the end of its stderr', async () => {
  await assert.rejects(
    runChild(['-e', "console.error('dynalite table missing'); process.exit(3)"]),
    /exited with code 3 without a report: dynalite table missing/,
  );
});
