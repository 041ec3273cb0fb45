import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { measureRunners } from '../../bench/lib/measure.ts';
import { processRunner } from '../../bench/lib/row-process.ts';

const ROWS = join(import.meta.dirname, 'fixtures', 'rows.ts');
const quick = { rounds: 2, targetSampleMs: 1, warmupMs: 1 };

test('a row in a process of its own is measured in µs per event, and the process ends when closed', async () => {
  const runner = await processRunner(ROWS, 'noop');
  try {
    const [result] = await measureRunners([runner], quick);
    assert.equal(result!.label, 'noop');
    assert.equal(result!.perEvent.n, 2);
    assert.ok(result!.perEvent.median >= 0);
  } finally {
    await runner.close();
  }
});

test('a row process whose stack reports failed records stops the bench with the reason, env passed through', async () => {
  const runner = await processRunner(ROWS, 'broken', { FAILED_ID: 'msg-7' });
  try {
    await assert.rejects(measureRunners([runner], quick), /bench row "broken".*reported 1 failed records \(msg-7\)/s);
  } finally {
    await runner.close();
  }
});

test('a row the rows module cannot build fails at start with its error', async () => {
  await assert.rejects(processRunner(ROWS, 'nope'), /no row nope/);
});
