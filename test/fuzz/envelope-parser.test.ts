/**
 * The runtime's envelope parser (lib/runtime/middleware/envelope.ts: readInvocation and
 * decodeRecord) under arbitrary Lambda events and SQS bodies. The event envelope is
 * `detail = { metadata, data }` on an EventBridge event (docs: /work/shared/DESIGN.md, "The event
 * envelope"); bodies arrive from queues anyone with access can write to. Properties: an invocation
 * is read into records or refused with EnvelopeUnknownEventError, never another exception; a record
 * decodes or is rejected with EnvelopeMalformedBodyError (a value, never thrown, so the record goes
 * to the DLQ with its reason); and a decoded record is consistent with its event: topic = detail-type,
 * `enveloped` exactly when detail is { metadata?, data }, the event id = metadata.id when that is a
 * non-empty string, else the EventBridge id. SQS → Lambda record shape: "Using Lambda with Amazon
 * SQS", Lambda developer guide, https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html.
 * Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRecord, readInvocation, type InboundRecord } from '../../lib/runtime/middleware/envelope.ts';
import { EnvelopeMalformedBodyError, EnvelopeUnknownEventError } from '../../lib/runtime/errors.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';

const FILE = 'test/fuzz/envelope-parser.test.ts';
const TOPIC = 'signup.completed';
const FLOW_TOPICS: ReadonlySet<string> = new Set([TOPIC]);

const any: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.anything({ maxDepth: 2 }));
/** Mostly `right`, sometimes anything else. */
const maybe = <T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: any });

const metadata = fc.record(
  { id: maybe(fc.string()), correlationId: maybe(fc.string()), causationId: maybe(fc.string()), schemaVersion: maybe(fc.integer()), publishedAt: maybe(fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString()))), traceparent: maybe(fc.string()) },
  { requiredKeys: [] },
);
const detail = fc.oneof(
  fc.record({ metadata: maybe(metadata), data: any }, { requiredKeys: ['data'] }),
  fc.record({ metadata: maybe(metadata), data: any, extra: any }, { requiredKeys: [] }),
  any,
);
const eventBridgeEvent = fc.record(
  {
    version: maybe(fc.constant('0')),
    id: maybe(fc.uuid()),
    'detail-type': maybe(fc.constantFrom(TOPIC, 'other.topic', '')),
    source: maybe(fc.constantFrom('app', 'aws.s3')),
    account: maybe(fc.constant('123456789012')),
    time: maybe(fc.constant('2026-12-07T00:00:00Z')),
    region: maybe(fc.constant('us-east-1')),
    resources: maybe(fc.array(fc.string(), { maxLength: 2 })),
    detail,
  },
  { requiredKeys: [] },
);
/** An SQS message body: an EventBridge event's JSON, broken JSON, or any text. */
const body = fc.oneof(
  { weight: 4, arbitrary: eventBridgeEvent.map((e) => JSON.stringify(e) ?? '') },
  { weight: 1, arbitrary: eventBridgeEvent.map((e) => (JSON.stringify(e) ?? '').slice(0, -1)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
);
const sqsRecord = fc.record(
  {
    messageId: maybe(fc.uuid()),
    receiptHandle: maybe(fc.string()),
    body: maybe(body),
    attributes: maybe(fc.record({ ApproximateReceiveCount: maybe(fc.constantFrom('1', '3', '0', '-1', 'x')), ApproximateFirstReceiveTimestamp: maybe(fc.constantFrom('1765065600000', 'NaN', '')), SentTimestamp: maybe(fc.constant('1765065600000')), MessageGroupId: maybe(fc.string()), AWSTraceHeader: maybe(fc.string()) }, { requiredKeys: [] })),
    messageAttributes: maybe(fc.constant({})),
    eventSource: maybe(fc.constant('aws:sqs')),
    eventSourceARN: maybe(fc.constant('arn:aws:sqs:us-east-1:123456789012:q')),
    awsRegion: maybe(fc.constant('us-east-1')),
  },
  { requiredKeys: [] },
);
const lambdaEvent = fc.oneof(
  { weight: 3, arbitrary: fc.record({ Records: maybe(fc.array(maybe(sqsRecord), { maxLength: 4 })) }) },
  { weight: 3, arbitrary: eventBridgeEvent },
  { weight: 1, arbitrary: any },
);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What decoding must say about `event` (the parsed body or the direct event); returns the outcome. */
function assertConsistent(record: InboundRecord): 'rejected' | 'raw' | 'enveloped' {
  const decoded = decodeRecord(record, FLOW_TOPICS);
  if (!decoded.ok) {
    assert.ok(decoded.error instanceof EnvelopeMalformedBodyError, `decodeRecord rejected with ${String(decoded.error)}`);
    assert.ok(decoded.error.message.length > 0, 'a rejection carries its reason');
    return 'rejected';
  }
  const { event, topic, enveloped, eventId, correlationId, metadata } = decoded.decoded;
  assert.equal(topic, event['detail-type']);
  const envelope = isObject(event.detail) && 'data' in event.detail && Object.keys(event.detail).every((k) => k === 'data' || k === 'metadata') && (event.detail.metadata === undefined || isObject(event.detail.metadata));
  assert.equal(enveloped, envelope);
  if (!enveloped) assert.ok(!FLOW_TOPICS.has(topic), 'a flow topic is decoded only from an envelope');
  const metadataId = enveloped ? (metadata as { id?: unknown }).id : undefined;
  assert.equal(eventId, typeof metadataId === 'string' && metadataId !== '' ? metadataId : event.id);
  assert.equal(typeof correlationId, 'string');
  return enveloped ? 'enveloped' : 'raw';
}

test('any Lambda event is read into records or refused with EnvelopeUnknownEventError, and every record decodes consistently or is rejected with its reason, never thrown', async () => {
  const seen = { raw: 0, enveloped: 0, rejected: 0 };
  await checkFuzzProperty(
    FILE,
    fc.property(lambdaEvent, (event) => {
      let read: ReturnType<typeof readInvocation>;
      try {
        read = readInvocation(event, 1_765_065_600_000, 'req-1');
      } catch (error) {
        assert.ok(error instanceof EnvelopeUnknownEventError, `readInvocation threw ${String(error)}`);
        return;
      }
      for (const record of read.records) {
        if (record.kind === 'sqs') {
          assert.equal(typeof record.body, 'string');
          assert.ok(Number.isInteger(record.receiveCount) && record.receiveCount >= 1, `receiveCount ${record.receiveCount}`);
          assert.ok(Number.isFinite(record.firstReceivedAt));
        }
        seen[assertConsistent(record)]++;
      }
    }),
    2000,
  );
  // The generators reach every outcome: records decoded (enveloped or raw) and records rejected.
  assert.ok(seen.raw > 0 && seen.enveloped > 0 && seen.rejected > 0, JSON.stringify(seen));
});
