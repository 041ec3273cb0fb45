import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { batchSource, BATCH_SIZE, orderPlacedSchema } from '../../bench/fixtures/order-events.ts';

test('bench batches hold 10 EventBridge order.placed events of 1–2 KB whose data matches the schema', () => {
  const validate = new Ajv({ allErrors: true }).compile(orderPlacedSchema());
  const batch = batchSource('spec')();
  assert.equal(batch.Records.length, BATCH_SIZE);
  for (const record of batch.Records) {
    const bytes = Buffer.byteLength(record.body);
    assert.ok(bytes >= 1000 && bytes <= 2048, `body of ${bytes} bytes`);
    const event = JSON.parse(record.body) as { 'detail-type': string; detail: { data: unknown } };
    assert.equal(event['detail-type'], 'order.placed');
    assert.equal(validate(event.detail.data), true, JSON.stringify(validate.errors));
  }
});

test('every generated event has a fresh metadata id, so dedupe never short-circuits a bench', () => {
  const next = batchSource('ids');
  const ids = [...next().Records, ...next().Records].map((r) => (JSON.parse(r.body) as { detail: { metadata: { id: string } } }).detail.metadata.id);
  assert.equal(new Set(ids).size, ids.length);
});
