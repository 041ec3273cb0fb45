import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchSource, lambdaContext } from '../../bench/fixtures/order-events.ts';
import { measureRows } from '../../bench/lib/measure.ts';

const quick = { rounds: 2, targetSampleMs: 1, warmupMs: 1, context: lambdaContext };

test('every row is measured in µs per event with its spread', async () => {
  const [result] = await measureRows([{ label: 'noop', next: batchSource('t'), handler: async () => ({ batchItemFailures: [] }) }], quick);
  assert.equal(result!.label, 'noop');
  assert.equal(result!.perEvent.n, 2);
  assert.ok(result!.perEvent.median >= 0);
});

test('a row that reports failed records stops the bench instead of looking fast', async () => {
  const failing = { label: 'broken', next: batchSource('f'), handler: async () => ({ batchItemFailures: [{ itemIdentifier: 'm1' }] }) };
  await assert.rejects(measureRows([failing], quick), /bench row "broken" reported 1 failed records \(m1\)/);
});
