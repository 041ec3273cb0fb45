/**
 * Coalescing publishes: concurrent publishAll calls of one event-loop turn share PutEvents calls
 * (createPublisher({ coalesce: true }), which wrapHandler uses for ctx.publish). Over the wire
 * against real EventBridge (moto_server, a rule routing to a queue); the partial-failure storms
 * no endpoint produces come from a client middleware that fakes the PutEvents response, and
 * those tests say "mocked". The batcher's own flushing rules are checked with a plain send
 * function (no client involved).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { createPublisher, PublishFailedEntriesError, wrapHandler, type HandlerContext } from '../../lib/runtime/index.ts';
import { createPublishBatcher } from '../../lib/runtime/publish-batcher.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, TOPICS, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());


const orderIdsIn = (messages: Array<{ Body?: string }>) => messages.map((m) => (JSON.parse(m.Body!) as { detail: { data: { orderId: string } } }).detail.data.orderId).sort();

/** A client to moto whose PutEvents calls are counted, and optionally faked by `fake`. */
function countingClient(fake?: (call: number, entries: PutEventsRequestEntry[]) => 'real' | PutEventsCommandOutput): { client: EventBridgeClient; calls: PutEventsRequestEntry[][] } {
  const client = new EventBridgeClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  const calls: PutEventsRequestEntry[][] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const entries = (args.input as { Entries: PutEventsRequestEntry[] }).Entries;
      calls.push(entries);
      const faked = fake?.(calls.length, entries) ?? 'real';
      return faked === 'real' ? next(args) : { output: faked, response: {} };
    },
    { step: 'initialize', name: 'countPutEvents' },
  );
  return { client, calls };
}

const order = (orderId: string) => ({ topic: 'order.placed', data: { orderId, quantity: 1 } });
const orderIdOf = (entry: PutEventsRequestEntry) => (JSON.parse(entry.Detail!) as { data: { orderId: string } }).data.orderId;

test('concurrent publishAll calls of one turn share one PutEvents call, and every event arrives', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed', 'inventory.reserved']);
  const { client, calls } = countingClient();
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, coalesce: true });
  const published = await Promise.all([publisher.publishAll([order('c-0'), order('c-1')]), publisher.publish('order.placed', { orderId: 'c-2', quantity: 1 }), publisher.publishAll([order('c-3')])]);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.length, 4);
  assert.deepEqual(published.flat().map((p) => p.eventBridgeId !== undefined), [true, true, true, true]);
  assert.deepEqual(orderIdsIn(await env.drain(queueUrl, 4)), ['c-0', 'c-1', 'c-2', 'c-3']);
});

test('without coalesce, each publishAll call makes its own PutEvents call', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed', 'inventory.reserved']);
  const { client, calls } = countingClient();
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client });
  await Promise.all([publisher.publishAll([order('s-0')]), publisher.publishAll([order('s-1')])]);
  assert.equal(calls.length, 2);
  assert.deepEqual(orderIdsIn(await env.drain(queueUrl, 2)), ['s-0', 's-1']);
});

test('a batch of 10 records that each publish sends fewer PutEvents calls than records, and every event arrives once', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed', 'inventory.reserved']);
  const { client, calls } = countingClient();
  const handler = wrapHandler(
    async (data: { orderId: string }, ctx: HandlerContext) => ctx.publish('inventory.reserved', { orderId: data.orderId, reservationId: `r-${data.orderId}` }),
    { config: subscriptionConfig({ delivery: 'queue' }), validators, busName, dedupe: false, eventBridgeClient: client, output: () => undefined },
  );
  const records = Array.from({ length: 10 }, (_, i) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `b-${i}`, quantity: 1 }))));
  const response = await handler({ Records: records }, lambdaContext());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.ok(calls.length < 10, `expected shared calls, got ${calls.length} for 10 records`);
  assert.equal(calls.flat().length, 10);
  assert.deepEqual(orderIdsIn(await env.drain(queueUrl, 10)), Array.from({ length: 10 }, (_, i) => `b-${i}`).sort());
});

test('a non-retryable entry failure in a shared call (mocked response) fails only the publishAll it belongs to', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed', 'inventory.reserved']);
  const { client, calls } = countingClient((call, entries) => {
    if (call > 1) return 'real';
    // Accept the real ones by sending them afterwards; the first call rejects "bad" and accepts the rest here.
    return { $metadata: {}, FailedEntryCount: 1, Entries: entries.map((e) => (orderIdOf(e) === 'bad' ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } : { EventId: `ok-${orderIdOf(e)}` })) };
  });
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, coalesce: true });
  const [good, mixed] = await Promise.allSettled([publisher.publishAll([order('good-0'), order('good-1')]), publisher.publishAll([order('fine'), { ...order('bad'), id: 'evt-bad' }])]);
  assert.equal(calls.length, 1, 'one shared call, no retry of a non-retryable code');
  assert.equal(good.status, 'fulfilled');
  assert.deepEqual(good.status === 'fulfilled' && good.value.map((p) => p.eventBridgeId), ['ok-good-0', 'ok-good-1']);
  assert.equal(mixed.status, 'rejected');
  const error = mixed.status === 'rejected' ? mixed.reason : undefined;
  assert.ok(error instanceof PublishFailedEntriesError);
  assert.deepEqual(error.failed.map((f) => [f.id, f.errorCode]), [['evt-bad', 'MalformedDetail']]);
  assert.match(error.message, /1 of 2 events were not accepted/);
  assert.deepEqual(await env.drain(queueUrl, 1, 1), [], 'the faked call sent nothing to the bus');
});

test('retryable entry failures in a shared call (mocked storm) are resent for their own groups, and a group already accepted does not wait for them', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed', 'inventory.reserved']);
  let acceptedBeforeRetry: number | undefined;
  const { client, calls } = countingClient((call, entries) => {
    if (call === 1) {
      return { $metadata: {}, FailedEntryCount: 2, Entries: entries.map((e) => (orderIdOf(e).startsWith('throttled') ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `ok-${orderIdOf(e)}` })) };
    }
    acceptedBeforeRetry ??= settledGroups;
    return 'real';
  });
  let settledGroups = 0;
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, coalesce: true, backoffBaseMs: 20, backoffMaxMs: 40 });
  const track = <T>(p: Promise<T>) => p.finally(() => settledGroups++);
  const [accepted, retried] = await Promise.all([track(publisher.publishAll([order('first-try')])), track(publisher.publishAll([order('throttled-0'), order('throttled-1')]))]);
  assert.equal(acceptedBeforeRetry, 1, 'the accepted group had resolved before the retry call was made');
  assert.equal(accepted[0]!.eventBridgeId, 'ok-first-try');
  assert.deepEqual(calls.map((c) => c.map(orderIdOf)), [['first-try', 'throttled-0', 'throttled-1'], ['throttled-0', 'throttled-1']]);
  assert.ok(retried.every((p) => p.eventBridgeId !== undefined));
  assert.deepEqual(orderIdsIn(await env.drain(queueUrl, 2)), ['throttled-0', 'throttled-1']);
});

test('a batcher sends at once when a full call is waiting, without waiting for the turn to end', async () => {
  const sends: number[][] = [];
  const batcher = createPublishBatcher<{ bytes: number; n: number }>(
    async (entries, settled) => {
      sends.push(entries.map((e) => e.n));
      entries.forEach(settled);
    },
    { maxEntries: 3, maxBytes: 1_000 },
  );
  const entry = (n: number, bytes = 1) => ({ n, bytes });
  const first = batcher.submit([entry(1), entry(2)]);
  const second = batcher.submit([entry(3)]);
  assert.deepEqual(sends, [[1, 2, 3]], 'three entries waiting: sent in the same turn');
  const third = batcher.submit([entry(4, 1_000)]);
  assert.deepEqual(sends, [[1, 2, 3], [4]], 'a full call of bytes: sent in the same turn');
  const fourth = batcher.submit([entry(5)]);
  assert.equal(sends.length, 2, 'one entry waits for the end of the turn');
  await Promise.all([first, second, third, fourth]);
  assert.deepEqual(sends, [[1, 2, 3], [4], [5]]);
});

test('groups submitted in different turns go in different sends', async () => {
  const sends: number[][] = [];
  const batcher = createPublishBatcher<{ bytes: number; n: number }>(
    async (entries, settled) => {
      sends.push(entries.map((e) => e.n));
      entries.forEach(settled);
    },
    { maxEntries: 10, maxBytes: 1_000 },
  );
  await batcher.submit([{ n: 1, bytes: 1 }]);
  await batcher.submit([{ n: 2, bytes: 1 }]);
  assert.deepEqual(sends, [[1], [2]]);
});

test('a send that rejects still resolves every group it was given (their entries carry no EventId)', { timeout: 10_000 }, async () => {
  const sent: number[] = [];
  const batcher = createPublishBatcher<{ bytes: number }>(async (entries) => {
    sent.push(entries.length);
    throw new Error('broken send');
  }, { maxEntries: 10, maxBytes: 1_000 });
  await assert.doesNotReject(Promise.all([batcher.submit([{ bytes: 1 }]), batcher.submit([{ bytes: 1 }])]));
  assert.deepEqual(sent, [2], 'both groups went out in the one broken call');
});

test('a send that returns without settling its entries still resolves their group', { timeout: 10_000 }, async () => {
  let sent = 0;
  const quiet = createPublishBatcher<{ bytes: number }>(async (entries) => {
    sent += entries.length;
  }, { maxEntries: 10, maxBytes: 1_000 });
  await assert.doesNotReject(quiet.submit([{ bytes: 1 }]));
  assert.equal(sent, 1);
});
