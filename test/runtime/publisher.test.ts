/**
 * Publishing through real EventBridge (moto_server): a rule routes the bus's events to a queue
 * and the test reads them back. Faults no endpoint produces (FailedEntryCount > 0, throttling)
 * come from a client middleware that fakes the PutEvents response: those tests say "mocked".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { createPublisher, MAX_ENTRY_BYTES, PublishEntryTooLargeError, PublishFailedEntriesError, PublishTopicError, PublishValidationError } from '../../lib/runtime/index.ts';
import { chunks } from '../../lib/runtime/publisher.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, TOPICS } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());


type Routed = { id: string; 'detail-type': string; source: string; detail: { metadata: Record<string, unknown>; data: { orderId: string } } };
const bodies = (messages: Array<{ Body?: string }>) => messages.map((m) => JSON.parse(m.Body!) as Routed);

/** A client to moto whose PutEvents calls are counted, and optionally faked by `fake`. */
function countingClient(fake?: (call: number, entries: PutEventsRequestEntry[]) => 'real' | PutEventsCommandOutput | Error): { client: EventBridgeClient; calls: PutEventsRequestEntry[][] } {
  const client = new EventBridgeClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  const calls: PutEventsRequestEntry[][] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const entries = (args.input as { Entries: PutEventsRequestEntry[] }).Entries;
      calls.push(entries);
      const faked = fake?.(calls.length, entries) ?? 'real';
      if (faked === 'real') return next(args);
      if (faked instanceof Error) throw faked;
      return { output: faked, response: {} };
    },
    { step: 'initialize', name: 'countPutEvents' },
  );
  return { client, calls };
}

test('publish sends the envelope { metadata, data } with every metadata field filled', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed']);
  const publisher = createPublisher({ busName, topics: TOPICS, validators });
  const published = await publisher.publish('order.placed', { orderId: 'o-1', quantity: 2 });
  const [event] = bodies(await env.drain(queueUrl, 1));
  assert.equal(event!['detail-type'], 'order.placed');
  assert.equal(event!.source, 'busline.orders');
  assert.equal(event!.id, published.eventBridgeId);
  assert.deepEqual(event!.detail.data, { orderId: 'o-1', quantity: 2 });
  const m = event!.detail.metadata;
  assert.match(m.id as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(m.correlationId, m.id);
  assert.equal(m.schemaVersion, 1);
  assert.ok(Date.now() - Date.parse(m.publishedAt as string) < 60_000);
  assert.match(m.traceparent as string, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

test('publishAll of 12 events makes two PutEvents calls of at most 10 entries, and every event arrives', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient();
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client });
  const events = Array.from({ length: 12 }, (_, i) => ({ topic: 'order.placed', data: { orderId: `o-${i}`, quantity: 1 } }));
  await publisher.publishAll(events);
  assert.deepEqual(calls.map((c) => c.length), [10, 2]);
  const got = bodies(await env.drain(queueUrl, 12));
  assert.deepEqual(got.map((e) => e.detail.data.orderId).sort(), events.map((e) => e.data.orderId).sort());
});

test('an event that fails its schema throws PublishValidationError and nothing of the call is sent', { skip }, async () => {
  const { busName } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient();
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client });
  await assert.rejects(
    publisher.publishAll([
      { topic: 'order.placed', data: { orderId: 'fine', quantity: 1 } },
      { topic: 'order.placed', data: { orderId: 'bad', quantity: 'two' } },
    ]),
    (err: unknown) => err instanceof PublishValidationError && /\/quantity must be integer/.test(err.message) && /nothing was published/.test(err.message),
  );
  assert.equal(calls.length, 0);
});

test('an event over the entry size limit is refused before any call', { skip }, async () => {
  const { busName } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient();
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client });
  await assert.rejects(publisher.publish('order.placed', { orderId: 'x'.repeat(MAX_ENTRY_BYTES), quantity: 1 }), PublishEntryTooLargeError);
  assert.equal(calls.length, 0);
});

test('a topic the publisher does not know is a PublishTopicError', { skip }, async () => {
  const publisher = createPublisher({ busName: 'b', topics: TOPICS, validators });
  await assert.rejects(publisher.publish('order.cancelled', {}), PublishTopicError);
});

test('retryable error codes on every entry (mocked FailedEntryCount response): the entries are resent and each event arrives once', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient((call, entries) => {
    if (call > 1) return 'real';
    // First call: EventBridge throttles entries 1 and 3 and fails the others internally.
    return {
      $metadata: {},
      FailedEntryCount: entries.length,
      Entries: entries.map((_, i) => (i % 2 === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' })),
    };
  });
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, backoffBaseMs: 5, backoffMaxMs: 20 });
  await publisher.publishAll([0, 1, 2, 3].map((i) => ({ topic: 'order.placed', data: { orderId: `p-${i}`, quantity: 1 } })));
  assert.equal(calls.length, 2);
  const got = bodies(await env.drain(queueUrl, 4));
  assert.deepEqual(got.map((e) => e.detail.data.orderId).sort(), ['p-0', 'p-1', 'p-2', 'p-3']);
});

test('partial PutEvents failure (mocked response where one of three entries fails): the retry carries only that entry, with the same metadata id', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed']);
  let firstIds: unknown[] = [];
  const { client, calls } = countingClient((call, entries) => {
    if (call === 1) {
      firstIds = entries.map((e) => JSON.parse(e.Detail!).metadata.id);
      return { $metadata: {}, FailedEntryCount: 1, Entries: [{ EventId: 'accepted-0' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }, { EventId: 'accepted-2' }] };
    }
    return 'real';
  });
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, backoffBaseMs: 5, backoffMaxMs: 20 });
  const published = await publisher.publishAll([0, 1, 2].map((i) => ({ topic: 'order.placed', data: { orderId: `q-${i}`, quantity: 1 } })));
  assert.equal(calls[1]!.length, 1);
  assert.equal(JSON.parse(calls[1]![0]!.Detail!).metadata.id, firstIds[1]);
  assert.deepEqual([published[0]!.eventBridgeId, published[2]!.eventBridgeId], ['accepted-0', 'accepted-2']);
  const got = bodies(await env.drain(queueUrl, 1));
  assert.deepEqual(got.map((e) => e.detail.data.orderId), ['q-1']);
});

test('throttled PutEvents call (mocked ThrottlingException): the whole call is retried with backoff', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient((call) => (call <= 2 ? Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }) : 'real'));
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, backoffBaseMs: 5, backoffMaxMs: 20 });
  await publisher.publish('order.placed', { orderId: 't-1', quantity: 1 });
  assert.equal(calls.length, 3);
  assert.equal(bodies(await env.drain(queueUrl, 1))[0]!.detail.data.orderId, 't-1');
});

test('entries still failing after every attempt (mocked response) throw PublishFailedEntriesError listing them', { skip }, async () => {
  const { busName } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient((_call, entries) => ({
    $metadata: {},
    FailedEntryCount: 1,
    Entries: entries.map((e) => (JSON.parse(e.Detail!).data.orderId === 'stuck' ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: 'ok' })),
  }));
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 });
  await assert.rejects(
    publisher.publishAll([
      { topic: 'order.placed', data: { orderId: 'fine', quantity: 1 } },
      { topic: 'order.placed', data: { orderId: 'stuck', quantity: 1 }, id: 'evt-stuck' },
    ]),
    (err: unknown) =>
      err instanceof PublishFailedEntriesError &&
      err.failed.length === 1 &&
      err.failed[0]!.id === 'evt-stuck' &&
      err.failed[0]!.errorCode === 'ThrottlingException' &&
      /1 of 2 events were not accepted/.test(err.message),
  );
  assert.deepEqual(calls.map((c) => c.length), [2, 1, 1]);
});

test('a non-retryable entry error (mocked response) is not retried', { skip }, async () => {
  const { busName } = await env.busWithQueue(['order.placed']);
  const { client, calls } = countingClient(() => ({ $metadata: {}, FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }] }));
  const publisher = createPublisher({ busName, topics: TOPICS, validators, client });
  await assert.rejects(publisher.publish('order.placed', { orderId: 'm', quantity: 1 }), PublishFailedEntriesError);
  assert.equal(calls.length, 1);
});

test('chunks never exceed 10 entries nor the entry size limit in total', () => {
  const sizes = [400_000, 400_000, 400_000, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
  const grouped = chunks(sizes.map((bytes) => ({ bytes })));
  for (const g of grouped) {
    assert.ok(g.length <= 10);
    assert.ok(g.reduce((s, e) => s + e.bytes, 0) <= MAX_ENTRY_BYTES);
  }
  assert.deepEqual(grouped.map((g) => g.length), [2, 10, 2]);
});

test('createPublisher rejects an unknown option and a topic without a validator', () => {
  assert.throws(() => createPublisher({ topics: TOPICS, validators, bus: 'x' } as never), /unknown option "bus"/);
  assert.throws(() => createPublisher({ topics: { 'order.shipped': { source: 's', latestVersion: 1 } }, validators }), /no validator for topic order\.shipped v1/);
});
