import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containsToken, logsPerMessage } from '../../lib/local/esm/log-attribution.ts';
import { readEvent } from '../../lib/local/esm/event-fields.ts';

test('a line naming a message\'s envelope id (the runtime\'s eventId log field) goes to that message only', () => {
  const logs = [
    '{"message":"record processed","eventId":"order-1","outcome":"succeeded"}',
    '{"message":"record processed","eventId":"order-2","outcome":"succeeded"}',
  ];
  assert.deepEqual(logsPerMessage(logs, [['m-1', 'e-1', 'order-1'], ['m-2', 'e-2', 'order-2']]), [[logs[0]], [logs[1]]]);
});

test('a line naming no message of the batch goes to every message', () => {
  const logs = ['{"_aws":{"CloudWatchMetrics":[]},"Processed":2}'];
  assert.deepEqual(logsPerMessage(logs, [['m-1'], ['m-2']]), [logs, logs]);
});

test('a short id does not claim the line of a longer id it is a prefix of', () => {
  const line = '{"eventId":"order-12"}';
  assert.deepEqual(logsPerMessage([line], [['order-1'], ['order-12']]), [[], [line]]);
});

test('an id counts only as a whole token', () => {
  assert.equal(containsToken('handling order-1 now', 'order-1'), true);
  assert.equal(containsToken('"order-1"', 'order-1'), true);
  assert.equal(containsToken('order-10 and xorder-1', 'order-1'), false);
  assert.equal(containsToken('order-1_b', 'order-1'), false);
});

test('readEvent reads the journal fields and the envelope id from one SQS body', () => {
  const body = JSON.stringify({ id: 'eb-1', 'detail-type': 'order.placed', detail: { metadata: { id: 'env-1', correlationId: 'c-1' }, data: {} } });
  assert.deepEqual(readEvent(body), { fields: { eventId: 'eb-1', topic: 'order.placed', correlationId: 'c-1' }, envelopeId: 'env-1' });
  assert.deepEqual(readEvent('not json'), { fields: {} });
});
