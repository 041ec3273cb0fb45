import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapHandler, RuntimeOptionsError } from '../../lib/runtime/index.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const quiet = { output: () => undefined };

test('a batch where every record succeeds returns an empty batchItemFailures and the handler sees each validated data', async () => {
  const seen: unknown[] = [];
  const handler = wrapHandler(async (data) => void seen.push(data), { config: subscriptionConfig(), validators, ...quiet });
  const records = [1, 2, 3].map((n) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${n}`, quantity: n }))));
  const response = await handler({ Records: records }, lambdaContext());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(seen, [1, 2, 3].map((n) => ({ orderId: `o-${n}`, quantity: n })));
});

test('the handler context carries the event id, topic, correlation id, causation id and attempt', async () => {
  let info: unknown;
  const handler = wrapHandler(async (_data, ctx) => void (info = ctx.event), { config: subscriptionConfig(), validators, ...quiet });
  const event = eventBridgeEvent('order.placed', { orderId: 'o-1', quantity: 1 }, { id: 'evt-a', correlationId: 'corr-1', causationId: 'evt-0' });
  await handler({ Records: [sqsRecord(JSON.stringify(event), { receiveCount: 3 })] }, lambdaContext());
  assert.deepEqual(info, { id: 'evt-a', topic: 'order.placed', source: 'busline.orders', time: event.time, correlationId: 'corr-1', causationId: 'evt-0', attempt: 3 });
});

test('an unknown option is an error naming the known ones', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, timeoutMargin: 5 } as never),
    (err: unknown) => err instanceof RuntimeOptionsError && /unknown option "timeoutMargin".*timeoutMarginMs/.test(err.message),
  );
});

test('record steps from options run after validation and before the handler; a skip succeeds the record without the handler', async () => {
  const calls: string[] = [];
  const handler = wrapHandler<{ orderId: string }>(async (data) => void calls.push(`handler ${data.orderId}`), {
    config: subscriptionConfig(),
    validators,
    recordSteps: [
      {
        name: 'dedupe',
        before: (r) => {
          calls.push(`dedupe ${r.eventId}`);
          if ((r.data as { orderId: string }).orderId === 'dup') return { verdict: 'skip', reason: 'completed before' };
        },
        settle: (_r, o) => void calls.push(`settle ${o.kind}`),
      },
    ],
    // One record after another, so the two records' calls do not interleave.
    recordConcurrency: 1,
    ...quiet,
  });
  const first = eventBridgeEvent('order.placed', { orderId: 'new', quantity: 1 }, { id: 'e-new' });
  const second = eventBridgeEvent('order.placed', { orderId: 'dup', quantity: 1 }, { id: 'e-dup' });
  const response = await handler({ Records: [sqsRecord(JSON.stringify(first)), sqsRecord(JSON.stringify(second))] }, lambdaContext());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(calls, ['dedupe e-new', 'handler new', 'settle succeeded', 'dedupe e-dup', 'settle duplicate']);
});

test('an event from outside the flow (no envelope, no schema) reaches the handler raw', async () => {
  let seen: unknown;
  const handler = wrapHandler(async (data, ctx) => void (seen = { data, id: ctx.event.id, topic: ctx.event.topic }), {
    config: subscriptionConfig({ consumes: ['Object Created'], topics: { 'Object Created': { source: 'aws.s3', latestVersion: 1 }, 'inventory.reserved': { source: 'busline.inventory', latestVersion: 1 } } }),
    validators,
    ...quiet,
  });
  const s3Event = { version: '0', id: 'aws-1', 'detail-type': 'Object Created', source: 'aws.s3', account: '1', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { bucket: { name: 'b' } } };
  await handler({ Records: [sqsRecord(JSON.stringify(s3Event))] }, lambdaContext());
  assert.deepEqual(seen, { data: { bucket: { name: 'b' } }, id: 'aws-1', topic: 'Object Created' });
});

test('a config with a published topic missing from topics is rejected at construction, naming the topic', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: subscriptionConfig({ publishes: ['order.shipped'] }), validators }),
    (err: unknown) => err instanceof RuntimeOptionsError && /topics has no entry for order\.shipped/.test(err.message),
  );
});

test('an option given explicitly wins over its environment variable, which wins over the default', async () => {
  const lines: string[] = [];
  process.env.BUSLINE_METRICS_NAMESPACE = 'FromEnv';
  try {
    const run = async (extra: object) => {
      lines.length = 0;
      const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, output: (l) => void lines.push(l), logLevel: 'silent', ...extra });
      await handler({ Records: [sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'o', quantity: 1 })))] }, lambdaContext());
      return (JSON.parse(lines.find((l) => l.includes('CloudWatchMetrics'))!) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } })._aws.CloudWatchMetrics[0]!.Namespace;
    };
    assert.equal(await run({ metricsNamespace: 'Explicit' }), 'Explicit');
    assert.equal(await run({}), 'FromEnv');
    delete process.env.BUSLINE_METRICS_NAMESPACE;
    assert.equal(await run({}), 'Busline');
  } finally {
    delete process.env.BUSLINE_METRICS_NAMESPACE;
  }
});

test('an event that is neither an SQS batch nor an EventBridge event fails the invocation with a clear error', async () => {
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, ...quiet });
  await assert.rejects(handler({ hello: 'world' }, lambdaContext()), /neither an SQS batch .* nor an EventBridge event/);
});

test('validators lacking a topic the subscription publishes are rejected at construction', () => {
  const { 'inventory.reserved': _dropped, ...partial } = validators as Record<string, unknown>;
  assert.throws(
    () => wrapHandler(async () => undefined, { config: subscriptionConfig(), validators: partial as typeof validators }),
    (err: unknown) => err instanceof RuntimeOptionsError && /validators lack inventory\.reserved, which this subscription publishes/.test(err.message),
  );
});

test('ctx members can be destructured: signal (an AbortSignal, not aborted), publish, logger and event', async () => {
  let seen: unknown;
  const handler = wrapHandler(
    async (_data, ctx) => {
      const { signal, publish, logger, event } = ctx;
      seen = { signal: signal instanceof AbortSignal && !signal.aborted, publish: typeof publish, logger: typeof logger.info, topic: event.topic };
    },
    { config: subscriptionConfig(), validators, ...quiet },
  );
  await handler({ Records: [sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'o-1', quantity: 1 })))] }, lambdaContext());
  assert.deepEqual(seen, { signal: true, publish: 'function', logger: 'function', topic: 'order.placed' });
});
