import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord, readInvocation, type InboundRecord } from '../../../lib/runtime/middleware/envelope.ts';
import { EnvelopeMalformedBodyError, EnvelopeUnknownEventError } from '../../../lib/runtime/errors.ts';
import { eventBridgeEvent, sqsRecord } from '../fixtures/flow.ts';

const FLOW = new Set(['order.placed']);
const inbound = (body: string): InboundRecord => readInvocation({ Records: [sqsRecord(body, { receiveCount: 2 })] }, 0).records[0]!;

test('an SQS batch becomes one inbound record per message, with receive count and source ARN', () => {
  const { kind, records } = readInvocation({ Records: [sqsRecord('{}', { messageId: 'm1', receiveCount: 4 }), sqsRecord('{}', { messageId: 'm2', groupId: 'g' })] }, 0);
  assert.equal(kind, 'sqs-batch');
  assert.deepEqual(records.map((r) => r.kind === 'sqs' && [r.messageId, r.receiveCount, r.messageGroupId ?? null, r.eventSourceArn]), [
    ['m1', 4, null, 'arn:aws:sqs:us-east-1:123456789012:reserve-inventory'],
    ['m2', 1, 'g', 'arn:aws:sqs:us-east-1:123456789012:reserve-inventory'],
  ]);
});

test('a bare EventBridge event is direct delivery with one record', () => {
  const event = eventBridgeEvent('order.placed', { orderId: 'o', quantity: 1 });
  const { kind, records } = readInvocation(event, 7);
  assert.equal(kind, 'direct');
  assert.deepEqual(records, [{ kind: 'direct', event, receivedAt: 7 }]);
});

test('any other event shape, or Records that are not SQS messages, is EnvelopeUnknownEventError', () => {
  assert.throws(() => readInvocation({ foo: 1 }, 0), EnvelopeUnknownEventError);
  assert.throws(() => readInvocation({ Records: [{ eventSource: 'aws:kinesis' }] }, 0), /not SQS messages/);
  assert.throws(() => readInvocation(null, 0), EnvelopeUnknownEventError);
});

test('an envelope is unwrapped: data, metadata, event id from metadata.id, correlation id kept', () => {
  const event = eventBridgeEvent('order.placed', { orderId: 'o', quantity: 1 }, { id: 'evt-9', correlationId: 'c-1' });
  const r = decodeRecord(inbound(JSON.stringify(event)), FLOW);
  assert.ok(r.ok);
  assert.deepEqual(r.decoded.data, { orderId: 'o', quantity: 1 });
  assert.equal(r.decoded.eventId, 'evt-9');
  assert.equal(r.decoded.correlationId, 'c-1');
  assert.equal(r.decoded.enveloped, true);
});

test('without metadata.id and correlationId, the EventBridge id is both', () => {
  const base = eventBridgeEvent('order.placed', {});
  const event = { ...base, detail: { data: { orderId: 'o' } } };
  const r = decodeRecord(inbound(JSON.stringify(event)), FLOW);
  assert.ok(r.ok);
  assert.equal(r.decoded.eventId, base.id);
  assert.equal(r.decoded.correlationId, base.id);
});

test('a body that is not JSON is rejected as malformed, naming the message', () => {
  const r = decodeRecord(inbound('{oops'), FLOW);
  assert.ok(!r.ok);
  assert.ok(r.error instanceof EnvelopeMalformedBodyError);
  assert.match(r.error.message, /body that is not JSON/);
});

test('JSON that is not an EventBridge event is rejected as malformed', () => {
  const r = decodeRecord(inbound('{"hello":"world"}'), FLOW);
  assert.ok(!r.ok);
  assert.match(r.error.message, /not an EventBridge event/);
});

test('a flow topic whose detail is not an envelope is rejected as malformed', () => {
  const event = { ...eventBridgeEvent('order.placed', {}), detail: { orderId: 'o' } };
  const r = decodeRecord(inbound(JSON.stringify(event)), FLOW);
  assert.ok(!r.ok);
  assert.match(r.error.message, /not a Busline envelope/);
});

test('an event from outside the flow passes through raw', () => {
  const event = { ...eventBridgeEvent('Object Created', {}), detail: { bucket: 'b' } };
  const r = decodeRecord(inbound(JSON.stringify(event)), FLOW);
  assert.ok(r.ok);
  assert.equal(r.decoded.enveloped, false);
  assert.deepEqual(r.decoded.data, { bucket: 'b' });
});

test('fuzz: decoding arbitrary bodies never throws, it rejects or decodes', () => {
  const pieces = ['{', '}', '"id"', ':', '"x"', ',', '"detail-type"', '"source"', '"detail"', '{"data":1}', 'null', '[', ']', '1', '"metadata"', '\\u0000', 'true'];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    let body = '';
    const n = Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) body += pieces[Math.floor(rand() * pieces.length)];
    const r = decodeRecord(inbound(body), FLOW);
    assert.equal(typeof r.ok, 'boolean');
  }
});
