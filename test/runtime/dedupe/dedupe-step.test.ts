/**
 * Dedupe inside wrapHandler: the record step in the runtime's pipeline, against
 * dynalite on 127.0.0.1. Each wrapHandler stands for one Lambda container.
 * (Batches here succeed, or use direct delivery, so no SQS endpoint is needed;
 * dedupe-sqs.test.ts runs the same step on real SQS batches.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RuntimeOptionsError, wrapHandler, type SubscriptionConfig } from '../../../lib/runtime/index.ts';
import { wrapGeneratedHandler } from '../../../lib/runtime/wrap-handler.ts';
import { generatedDedupeStep, type DedupeOptions } from '../../../lib/runtime/dedupe/dedupe-options.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from '../fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const dedupeOn = (overrides: Partial<SubscriptionConfig> = {}) => subscriptionConfig({ dedupe: { ttlSeconds: 86_400 }, ...overrides });
const ctx = (ms?: number) => lambdaContext(ms);

let dynamo: RunningDynalite;
let client: DynamoDBClient;
let tableName: string;

before(async () => {
  dynamo = await startDynalite();
  client = testDynamoDbClient(dynamo.endpoint);
  tableName = await createDedupeTable(client, 'step');
});
after(async () => {
  client.destroy();
  await dynamo.stop();
});

/** A wrapped reserve-inventory handler counting its effect per orderId, with its log lines kept. */
function container(config: SubscriptionConfig = dedupeOn(), dedupe: DedupeOptions | null = { tableName, client }) {
  const runs = new Map<string, number>();
  const lines: Array<Record<string, unknown>> = [];
  const handler = wrapHandler<{ orderId: string }>(
    async (data) => void runs.set(data.orderId, (runs.get(data.orderId) ?? 0) + 1),
    { config, validators, ...(dedupe ? { dedupe } : {}), output: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { handler, runs, lines };
}

const order = (orderId: string, id: string) => eventBridgeEvent('order.placed', { orderId, quantity: 1 }, { id });
const batch = (...events: unknown[]) => ({ Records: events.map((e) => sqsRecord(JSON.stringify(e))) });

test('an event published twice with the same metadata.id in one batch runs once; both records succeed and one counts as Duplicate', async () => {
  const { handler, runs, lines } = container();
  // A producer retry: a new EventBridge id, the same producer-assigned metadata.id.
  const response = await handler(batch(order('o-1', 'evt-twice'), order('o-1', 'evt-twice')), ctx());

  assert.deepEqual(response, { batchItemFailures: [] });
  assert.equal(runs.get('o-1'), 1);
  const emf = lines.find((l) => '_aws' in l);
  assert.equal(emf?.['Duplicate'], 1);
  assert.equal(emf?.['Processed'], 1);
  const duplicateLine = lines.find((l) => l['outcome'] === 'duplicate');
  assert.match(String(duplicateLine?.['reason']), /^duplicate event skipped: first processed at \d{4}-\d\d-\d\dT/);
  assert.match(String(duplicateLine?.['reason']), /reserve-inventory#evt-twice/);
});

test('a redelivery to another container is skipped by the store’s COMPLETED record', async () => {
  const first = container();
  const second = container();
  await first.handler(batch(order('o-2', 'evt-redelivered')), ctx());
  const response = await second.handler(batch(order('o-2', 'evt-redelivered')), ctx());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.equal(first.runs.get('o-2'), 1);
  assert.equal(second.runs.get('o-2'), undefined);
  const item = await readDedupeItem(client, tableName, 'reserve-inventory#evt-redelivered');
  assert.equal(item?.['status']?.S, 'COMPLETED');
});

test('two wrapped handlers racing on one event: exactly one runs the effect, the other fails so Lambda retries it', async () => {
  const direct = dedupeOn({ delivery: 'direct' });
  let effects = 0;
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrive = () => {
    if (++arrived === 2) release();
  };
  const slow = () =>
    wrapHandler(
      async () => {
        effects++;
        arrive();
        await gate;
      },
      { config: direct, validators, dedupe: { tableName, client }, output: () => undefined },
    );
  const event = order('o-3', 'evt-race');
  const a = slow()(event, ctx());
  const b = slow()(event, ctx());
  a.catch(arrive);
  b.catch(arrive);
  const results = await Promise.allSettled([a, b]);

  assert.equal(effects, 1);
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.equal(rejected.length, 1);
  assert.equal(((rejected[0] as PromiseRejectedResult).reason as Error).name, 'DedupeInProgressError');
});

test('a subscription keyed by data.orderId runs once for two different events about the same order', async () => {
  const { handler, runs } = container(dedupeOn({ dedupe: { ttlSeconds: 86_400, keyPath: 'orderId' } }));
  await handler(batch(order('o-4', 'evt-a'), order('o-4', 'evt-b'), order('o-5', 'evt-c')), ctx());
  assert.equal(runs.get('o-4'), 1);
  assert.equal(runs.get('o-5'), 1);
});

test('a subscription with dedupe false runs every delivery and needs no table', async () => {
  const { handler, runs } = container(subscriptionConfig({ dedupe: false }), null);
  await handler(batch(order('o-6', 'evt-no-dedupe'), order('o-6', 'evt-no-dedupe')), ctx());
  assert.equal(runs.get('o-6'), 2);
});

test('dedupe on without a table name is refused when wrapping, naming BUSLINE_DEDUPE_TABLE and dedupe: false (also by the constructs\' generated entry)', () => {
  const saved = process.env['BUSLINE_DEDUPE_TABLE'];
  delete process.env['BUSLINE_DEDUPE_TABLE'];
  try {
    const generated = (handler: () => Promise<undefined>, options: { config: SubscriptionConfig; validators: typeof validators }) => wrapGeneratedHandler(handler, options, { commitStep: generatedDedupeStep });
    for (const wrap of [wrapHandler, generated]) {
      assert.throws(
        () => wrap(async () => undefined, { config: dedupeOn(), validators }),
        (error: unknown) => error instanceof RuntimeOptionsError && /BUSLINE_DEDUPE_TABLE/.test(error.message) && /dedupe: false/.test(error.message),
        wrap.name,
      );
    }
  } finally {
    if (saved !== undefined) process.env['BUSLINE_DEDUPE_TABLE'] = saved;
  }
});

test('an unknown dedupe option is refused, listing the known ones', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: dedupeOn(), validators, dedupe: { tableName, ttl: 5 } as never }),
    (error: unknown) => error instanceof RuntimeOptionsError && /unknown option "ttl".*ttlSeconds/.test(error.message),
  );
});

test('a malformed keyPath in the config is refused when wrapping', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: dedupeOn({ dedupe: { ttlSeconds: 60, keyPath: 'order..id' } }), validators, dedupe: { tableName, client } }),
    (error: unknown) => error instanceof RuntimeOptionsError && /keyPath/.test(error.message),
  );
});

test('with the dedupe store down, a direct event fails with DedupeStoreError and its handler does not run', async () => {
  const down = await startDynalite();
  const downClient = testDynamoDbClient(down.endpoint);
  try {
    const table = await createDedupeTable(downClient, 'step-down');
    await down.stop();
    let ran = false;
    const handler = wrapHandler(async () => void (ran = true), {
      config: dedupeOn({ delivery: 'direct' }),
      validators,
      dedupe: { tableName: table, client: downClient },
      output: () => undefined,
    });
    await assert.rejects(handler(order('o-7', 'evt-outage'), ctx()), { name: 'DedupeStoreError' });
    assert.equal(ran, false);
  } finally {
    downClient.destroy();
    await down.stop();
  }
});

test('a handler the timeout guard aborts keeps its lock until the deadline, so no retry runs beside it', async () => {
  const handler = wrapHandler(
    async (_data, hctx) => {
      await new Promise<void>((resolve) => hctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    { config: dedupeOn({ delivery: 'direct' }), validators, dedupe: { tableName, client }, timeoutMarginMs: 9_000, output: () => undefined },
  );
  // 10 s to the deadline, 9 s margin: the guard fires about 1 s into the handler, and the
  // lock (held to the deadline) outlives the checks below by seconds even on a loaded machine.
  await assert.rejects(handler(order('o-8', 'evt-timeout'), ctx(10_000)), { name: 'TimeoutGuardError' });
  const item = await readDedupeItem(client, tableName, 'reserve-inventory#evt-timeout');
  assert.equal(item?.['status']?.S, 'IN_PROGRESS');

  const retry = container(dedupeOn({ delivery: 'direct' }));
  await assert.rejects(retry.handler(order('o-8', 'evt-timeout'), ctx()), { name: 'DedupeInProgressError' });
  assert.equal(retry.runs.get('o-8'), undefined);
});

test('a handler that throws releases its lock, so the retry in the same container runs', async () => {
  let calls = 0;
  const handler = wrapHandler(
    async () => {
      if (++calls === 1) throw new Error('inventory service unavailable');
    },
    { config: dedupeOn({ delivery: 'direct' }), validators, dedupe: { tableName, client }, output: () => undefined },
  );
  const event = order('o-9', 'evt-retry');
  await assert.rejects(handler(event, ctx()), /inventory service unavailable/);
  assert.equal(await readDedupeItem(client, tableName, 'reserve-inventory#evt-retry'), undefined);
  assert.equal(await handler(event, ctx()), null);
  assert.equal(await handler(event, ctx()), null);
  assert.equal(calls, 2);
});

test('a ttlSeconds that is not a positive number is refused when wrapping, naming where it came from', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: dedupeOn({ dedupe: { ttlSeconds: -5 } }), validators, dedupe: { tableName, client } }),
    (error: unknown) => error instanceof RuntimeOptionsError && /config\.dedupe\.ttlSeconds must be a number of seconds greater than 0/.test(error.message),
  );
  assert.throws(
    () => wrapHandler(async () => undefined, { config: dedupeOn(), validators, dedupe: { tableName, client, ttlSeconds: 0 } }),
    (error: unknown) => error instanceof RuntimeOptionsError && /the dedupe option ttlSeconds/.test(error.message),
  );
});
