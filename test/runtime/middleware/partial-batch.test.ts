import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatchResponse, needsRedelivery } from '../../../lib/runtime/middleware/partial-batch.ts';
import type { InvocationState } from '../../../lib/runtime/invocation.ts';
import type { InboundRecord } from '../../../lib/runtime/middleware/envelope.ts';
import type { RecordOutcome } from '../../../lib/runtime/record-pipeline.ts';

const inbound = (messageId: string): InboundRecord => ({ kind: 'sqs', messageId, receiptHandle: 'rh', body: '', receiveCount: 1, firstReceivedAt: 0, eventSourceArn: 'arn' });
const err = new Error('x');

test('only records that must be redelivered are listed, by message id, in batch order', () => {
  const outcomes: RecordOutcome[] = [
    { kind: 'succeeded' },
    { kind: 'retry', error: err },
    { kind: 'dead-letter', error: err, reason: 'invalid' },
    { kind: 'duplicate', reason: 'seen' },
    { kind: 'not-attempted', reason: 'timeout' },
  ];
  const records = outcomes.map((_, i) => inbound(`m${i}`));
  const state: InvocationState = { kind: 'sqs-batch', records, results: outcomes.map((outcome, i) => ({ inbound: records[i]!, outcome, timings: {} })) };
  assert.deepEqual(buildBatchResponse(state), { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm4' }] });
});

test('a record with no outcome (the loop never reached it) is reported failed, never silently dropped', () => {
  const records = [inbound('a'), inbound('b')];
  const state: InvocationState = { kind: 'sqs-batch', records, results: [{ inbound: records[0]!, outcome: { kind: 'succeeded' }, timings: {} }] };
  assert.deepEqual(buildBatchResponse(state), { batchItemFailures: [{ itemIdentifier: 'b' }] });
});

test('an empty batch answers with an empty list, a well-formed response', () => {
  assert.deepEqual(buildBatchResponse({ kind: 'sqs-batch', records: [], results: [] }), { batchItemFailures: [] });
});

test('needsRedelivery is true for retry, not-attempted and missing outcomes only', () => {
  assert.deepEqual(
    [{ kind: 'succeeded' } as const, { kind: 'duplicate', reason: '' } as const, { kind: 'dead-letter', error: err, reason: 'invalid' } as const, { kind: 'retry', error: err } as const, { kind: 'not-attempted', reason: 'timeout' } as const, undefined].map(needsRedelivery),
    [false, false, false, true, true, true],
  );
});
