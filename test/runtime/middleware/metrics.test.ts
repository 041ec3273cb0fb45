import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMF_MAX_VALUES, batchFigures, emfDocuments, emfLineWriter } from '../../../lib/runtime/middleware/metrics.ts';
import { wrapHandler } from '../../../lib/runtime/index.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from '../fixtures/flow.ts';
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
  const [doc] = emfDocuments(state, { namespace: 'Busline', flow: 'orders', subscription: 'reserve-inventory', sink: () => undefined }, now) as Array< Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } }>;
  const directive = doc!._aws.CloudWatchMetrics[0]!;
  assert.equal(directive.Namespace, 'Busline');
  assert.deepEqual(directive.Dimensions, [['Flow', 'Subscription']]);
  assert.deepEqual(directive.Metrics.map((m) => m.Name), ['Processed', 'Failed', 'Retried', 'DeadLettered', 'Invalid', 'Duplicate', 'EndToEndLatency', 'HandlerDuration']);
  assert.ok(doc);
  assert.deepEqual(
    { Flow: doc.Flow, Subscription: doc.Subscription, Processed: doc.Processed, Failed: doc.Failed, Retried: doc.Retried, DeadLettered: doc.DeadLettered, Invalid: doc.Invalid, Duplicate: doc.Duplicate },
    { Flow: 'orders', Subscription: 'reserve-inventory', Processed: 2, Failed: 4, Retried: 2, DeadLettered: 3, Invalid: 2, Duplicate: 1 },
  );
  assert.deepEqual(doc.EndToEndLatency, [1000, 500]);
  assert.deepEqual(doc.HandlerDuration, [12.35, 3, 5, 1]);
  assert.equal((doc._aws as unknown as { Timestamp: number }).Timestamp, now);
});

test('without latency or duration values those metrics are left out rather than sent empty', () => {
  const [doc] = emfDocuments({ kind: 'sqs-batch', records: [], results: [result({ kind: 'duplicate', reason: 'seen' })] }, { namespace: 'N', flow: 'f', subscription: 's', sink: () => undefined }, 0);
  assert.ok(doc);
  assert.equal('EndToEndLatency' in doc, false);
  assert.equal('HandlerDuration' in doc, false);
});

test('the EMF lines written are exactly the JSON of the EMF documents, in every metric-list variant', () => {
  const options = { namespace: 'Busline', flow: 'orders "east"', subscription: 'reserve-inventory', sink: () => undefined };
  const write = emfLineWriter(options);
  const now = Date.parse('2026-11-25T12:00:01.000Z');
  const states = [
    [result({ kind: 'succeeded' }, '2026-11-25T12:00:00.000Z', 12.345), result({ kind: 'retry', error: new Error('x') }, undefined, 5)],
    [result({ kind: 'succeeded' }, '2026-11-25T12:00:00.250Z')],
    [result({ kind: 'duplicate', reason: 'seen' }, undefined, 0.5)],
    [result({ kind: 'not-attempted', reason: 'timeout' })],
    // More than 100 values: continuation documents, with and without duration values.
    Array.from({ length: 2 * EMF_MAX_VALUES + 1 }, (_, i) => result({ kind: 'succeeded' }, '2026-11-25T12:00:00.000Z', i % 2 ? i : undefined)),
  ];
  for (const results of states) {
    const state = { kind: 'sqs-batch' as const, records: [], results };
    assert.deepEqual(write(batchFigures(state, now), now), emfDocuments(state, options, now).map((d) => JSON.stringify(d)));
  }
});

type EmfLine = Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> } };

// EMF: "an array of up to 100 values" per metric member in one document (CloudWatch,
// "Specification: Embedded metric format",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
test('an invocation with more than 100 records writes every latency and duration value, at most 100 per metric per EMF document, and counts each record once', async () => {
  const validators = await loadValidators(SCHEMAS_DIR);
  const records = 250;
  const publishedAt = new Date(Date.now() - 60_000).toISOString();
  const event = { Records: Array.from({ length: records }, (_, i) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${i}`, quantity: 1 }, { publishedAt })))) };
  const lines: string[] = [];
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig({ publishes: [] }), validators, recordConcurrency: 50, output: (l) => void lines.push(l) });
  await handler(event, lambdaContext());

  const emf = lines.map((l) => JSON.parse(l) as EmfLine).filter((l) => '_aws' in l);
  assert.equal(emf.length, 3);
  const values = (name: string): number[] => emf.flatMap((d) => (Array.isArray(d[name]) ? (d[name] as number[]) : []));
  assert.equal(values('EndToEndLatency').length, records);
  assert.equal(values('HandlerDuration').length, records);
  for (const d of emf) {
    for (const name of ['EndToEndLatency', 'HandlerDuration']) assert.ok(((d[name] as unknown[] | undefined) ?? []).length <= EMF_MAX_VALUES);
    // Every metric a document declares is a member of it, and every value metric it carries is declared.
    const declared = d._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
    for (const name of declared) assert.ok(name in d, `${name} is declared and present`);
  }
  assert.equal(emf.reduce((n, d) => n + ((d.Processed as number | undefined) ?? 0), 0), records);
  assert.equal(emf.filter((d) => 'Processed' in d).length, 1);
});
