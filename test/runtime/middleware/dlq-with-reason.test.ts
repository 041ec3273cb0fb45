import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DLQ_ATTRIBUTES, deadLetterEntry, sendToDlq } from '../../../lib/runtime/middleware/dlq-with-reason.ts';
import { DeadLetterSendError, ValidationSchemaError } from '../../../lib/runtime/errors.ts';
import type { RecordResult } from '../../../lib/runtime/invocation.ts';
import { createLogger } from '../../../lib/runtime/logger.ts';
import type { RecordContext } from '../../../lib/runtime/record-pipeline.ts';

const now = new Date('2026-11-25T12:00:00.000Z');
const sqsResult = (overrides: Partial<RecordResult> = {}): RecordResult => ({
  inbound: { kind: 'sqs', messageId: 'm-1', receiptHandle: 'rh', body: '{"raw":true}', receiveCount: 3, firstReceivedAt: Date.parse('2026-11-25T11:00:00Z'), eventSourceArn: 'arn:aws:sqs:us-east-1:1:q', messageGroupId: 'g-1' },
  outcome: { kind: 'dead-letter', error: new ValidationSchemaError('data /quantity must be >= 1', []), reason: 'invalid' },
  record: { topic: 'order.placed', eventId: 'evt-1', eventBridgeId: 'eb-1' } as RecordContext,
  timings: {},
  failures: { attempts: 2, firstFailedAtMs: Date.parse('2026-11-25T11:00:00Z'), lastFailedAtMs: Date.parse('2026-11-25T11:59:00Z') },
  ...overrides,
});
const value = (entry: ReturnType<typeof deadLetterEntry>, name: string) => entry.MessageAttributes?.[name]?.StringValue;

test('a dead-lettered SQS record keeps its body intact and carries the reason, the attempts the runtime counted (not the receive count) and the first and last failure as message attributes', () => {
  const entry = deadLetterEntry(sqsResult(), 4, 'reserve-inventory', false, now);
  assert.equal(entry.Id, 'r4');
  assert.equal(entry.MessageBody, '{"raw":true}');
  assert.deepEqual(
    Object.fromEntries(Object.keys(entry.MessageAttributes!).map((k) => [k, value(entry, k)])),
    {
      [DLQ_ATTRIBUTES.reason]: 'invalid',
      [DLQ_ATTRIBUTES.errorName]: 'ValidationSchemaError',
      [DLQ_ATTRIBUTES.errorMessage]: 'data /quantity must be >= 1',
      [DLQ_ATTRIBUTES.subscription]: 'reserve-inventory',
      [DLQ_ATTRIBUTES.attempt]: '2',
      [DLQ_ATTRIBUTES.firstFailedAt]: '2026-11-25T11:00:00.000Z',
      [DLQ_ATTRIBUTES.failedAt]: '2026-11-25T11:59:00.000Z',
      [DLQ_ATTRIBUTES.topic]: 'order.placed',
      [DLQ_ATTRIBUTES.eventId]: 'evt-1',
      [DLQ_ATTRIBUTES.sourceMessageId]: 'm-1',
    },
  );
  assert.ok(Object.keys(entry.MessageAttributes!).length <= 10, 'SQS allows at most 10 message attributes');
  assert.equal(entry.MessageAttributes![DLQ_ATTRIBUTES.attempt]!.DataType, 'Number');
});

test('a FIFO DLQ gets the record message group and its message id as deduplication id', () => {
  const entry = deadLetterEntry(sqsResult(), 0, 'customer-history', true, now);
  assert.equal(entry.MessageGroupId, 'g-1');
  assert.equal(entry.MessageDeduplicationId, 'm-1');
});

test('a direct event is sent as its JSON; without a failure tally it is its first attempt, failed now', () => {
  const event = { id: 'eb-2', 'detail-type': 'order.placed' };
  const entry = deadLetterEntry(sqsResult({ inbound: { kind: 'direct', event, receivedAt: now.getTime() }, failures: undefined }), 0, 's', false, now);
  assert.deepEqual(JSON.parse(entry.MessageBody!), event);
  assert.equal(value(entry, DLQ_ATTRIBUTES.attempt), '1');
  assert.equal(value(entry, DLQ_ATTRIBUTES.firstFailedAt), now.toISOString());
  assert.equal(value(entry, DLQ_ATTRIBUTES.failedAt), now.toISOString());
  assert.equal(value(entry, DLQ_ATTRIBUTES.sourceMessageId), undefined);
});

test('a very long error message is cut so the attributes stay within the message size limit', () => {
  const entry = deadLetterEntry(sqsResult({ outcome: { kind: 'dead-letter', error: new Error('x'.repeat(100_000)), reason: 'non-retryable' } }), 0, 's', false, now);
  assert.equal(value(entry, DLQ_ATTRIBUTES.errorMessage)!.length, 4096);
});

test('with no DLQ configured, dead-lettered records become retries (never reported processed) without loading the SQS client', async () => {
  const result = sqsResult();
  let clientRequested = false;
  await sendToDlq([result], {
    subscription: 's',
    dlqUrl: undefined,
    sqsClient: async () => {
      clientRequested = true;
      throw new Error('must not be called');
    },
    logger: createLogger('silent', () => undefined),
  });
  assert.equal(clientRequested, false);
  assert.equal(result.outcome.kind, 'retry');
  assert.ok(result.outcome.kind === 'retry' && result.outcome.error instanceof DeadLetterSendError);
  assert.match((result.outcome as { error: Error }).error.message, /no DLQ configured: set BUSLINE_DLQ_URL/);
});
