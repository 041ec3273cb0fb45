import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchFigures, emfDocument, emfLineWriter } from '../../../lib/runtime/middleware/metrics.ts';
import type { InvocationState, RecordResult } from '../../../lib/runtime/invocation.ts';
import type { RecordContext, RecordOutcome } from '../../../lib/runtime/record-pipeline.ts';

const err = new Error('x');
const result = (outcome: RecordOutcome, publishedAt?: string, handlerMs?: number): RecordResult => ({
  inbound: { kind: 'sqs', messageId: 'm', receiptHandle: 'r', body: '', receiveCount: 1, firstReceivedAt: 0, eventSourceArn: 'a' },
  outcome,
  ...(publishedAt ? { record: { metadata: { publishedAt } } as RecordContext } : {}),
  timings: handlerMs === undefined ? {} : { handlerMs },
});

test('one EMF document counts each outcome and carries latency and handler duration values', () => {
  const now = Date.parse('2026-11-25T12:00:01.000Z');
  const state: InvocationState = {
    kind: 'sqs-batch',
    records: [],
    results: [
      result({ kind: 'succeeded' }, '2026-11-25T12:00:00.000Z', 12.345),
      result({ kind: 'succeeded' }, '2026-11-25T12:00:00.500Z', 3),
      result({ kind: 'retry', error: err }, undefined, 5),
      result({ kind: 'dead-letter', error: err, reason: 'invalid' }),
      result({ kind: 'dead-letter', error: err, reason: 'malformed' }),
      result({ kind: 'dead-letter', error: err, reason: 'non-retryable' }, undefined, 1),
      result({ kind: 'duplicate', reason: 'seen' }),
      result({ kind: 'not-attempted', reason: 'timeout' }),
    ],
  };
  const doc = emfDocument(state, { namespace: 'Busline', flow: 'orders', subscription: 'reserve-inventory', sink: () => undefined }, now) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } };
  const directive = doc._aws.CloudWatchMetrics[0]!;
  assert.equal(directive.Namespace, 'Busline');
  assert.deepEqual(directive.Dimensions, [['Flow', 'Subscription']]);
  assert.deepEqual(directive.Metrics.map((m) => m.Name), ['Processed', 'Failed', 'Retried', 'DeadLettered', 'Invalid', 'Duplicate', 'EndToEndLatency', 'HandlerDuration']);
  assert.deepEqual(
    { Flow: doc.Flow, Subscription: doc.Subscription, Processed: doc.Processed, Failed: doc.Failed, Retried: doc.Retried, DeadLettered: doc.DeadLettered, Invalid: doc.Invalid, Duplicate: doc.Duplicate },
    { Flow: 'orders', Subscription: 'reserve-inventory', Processed: 2, Failed: 4, Retried: 2, DeadLettered: 3, Invalid: 2, Duplicate: 1 },
  );
  assert.deepEqual(doc.EndToEndLatency, [1000, 500]);
  assert.deepEqual(doc.HandlerDuration, [12.35, 3, 5, 1]);
  assert.equal((doc._aws as unknown as { Timestamp: number }).Timestamp, now);
});

test('without latency or duration values those metrics are left out rather than sent empty', () => {
  const doc = emfDocument({ kind: 'sqs-batch', records: [], results: [result({ kind: 'duplicate', reason: 'seen' })] }, { namespace: 'N', flow: 'f', subscription: 's', sink: () => undefined }, 0);
  assert.equal('EndToEndLatency' in doc, false);
  assert.equal('HandlerDuration' in doc, false);
});

test('the EMF line written is exactly the JSON of the EMF document, in every metric-list variant', () => {
  const options = { namespace: 'Busline', flow: 'orders "east"', subscription: 'reserve-inventory', sink: () => undefined };
  const write = emfLineWriter(options);
  const now = Date.parse('2026-11-25T12:00:01.000Z');
  const states = [
    [result({ kind: 'succeeded' }, '2026-11-25T12:00:00.000Z', 12.345), result({ kind: 'retry', error: new Error('x') }, undefined, 5)],
    [result({ kind: 'succeeded' }, '2026-11-25T12:00:00.250Z')],
    [result({ kind: 'duplicate', reason: 'seen' }, undefined, 0.5)],
    [result({ kind: 'not-attempted', reason: 'timeout' })],
  ];
  for (const results of states) {
    const state = { kind: 'sqs-batch' as const, records: [], results };
    assert.equal(write(batchFigures(state, now), now), JSON.stringify(emfDocument(state, options, now)));
  }
});
