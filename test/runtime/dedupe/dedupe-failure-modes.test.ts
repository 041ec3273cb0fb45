/**
 * The dedupe coordinator over DynamoDbDedupeStore against dynalite on 127.0.0.1,
 * one test per failure mode of docs/dedupe.md. Each coordinator stands for one
 * Lambda container (its own COMPLETED cache and SDK client); the clock is moved
 * by hand to expire locks and records.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DedupeCoordinator, DedupeInProgressError } from '../../../lib/runtime/dedupe/dedupe-coordinator.ts';
import { DynamoDbDedupeStore } from '../../../lib/runtime/dedupe/dynamodb-dedupe-store.ts';
import { DedupeStoreError } from '../../../lib/runtime/dedupe/dedupe-store.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const LAMBDA_TIMEOUT_MS = 30_000;

let dynamo: RunningDynalite;
let clients: DynamoDBClient[] = [];
let tableName: string;

before(async () => {
  dynamo = await startDynalite();
  const admin = client(dynamo.endpoint);
  tableName = await createDedupeTable(admin);
});

after(async () => {
  for (const c of clients) c.destroy();
  await dynamo.stop();
});

function client(endpoint: string): DynamoDBClient {
  const c = testDynamoDbClient(endpoint);
  clients.push(c);
  return c;
}

/** A clock tests move by hand. */
function manualClock(start = T0): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** One Lambda container: its own client, store and COMPLETED cache. */
function container(clock: { now: () => number }, options: { endpoint?: string; table?: string; ttlSeconds?: number } = {}) {
  const store = new DynamoDbDedupeStore({ tableName: options.table ?? tableName, client: client(options.endpoint ?? dynamo.endpoint) });
  return new DedupeCoordinator({ store, now: clock.now, ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}) });
}

/** Counts effects per key, as the Reservations item's `runs` counter does. */
function effects() {
  const runs = new Map<string, number>();
  return {
    runs,
    handler: (key: string) => async () => void runs.set(key, (runs.get(key) ?? 0) + 1),
  };
}

function deadline(clock: { now: () => number }) {
  return { deadlineMs: clock.now() + LAMBDA_TIMEOUT_MS };
}

test('sequential duplicates: the second delivery is skipped, in the same container and in another one', async () => {
  const clock = manualClock();
  const { runs, handler } = effects();
  const first = container(clock);
  const key = 'reserve#order-1';

  assert.deepEqual(await first.execute(key, deadline(clock), handler(key)), { outcome: 'ran' });
  clock.advance(5_000);
  const sameContainer = await first.execute(key, deadline(clock), handler(key));
  const otherContainer = await container(clock).execute(key, deadline(clock), handler(key));

  assert.equal(runs.get(key), 1);
  assert.deepEqual(sameContainer, { outcome: 'duplicate', key, firstProcessedAt: '2026-11-25T12:00:00.000Z', seenBy: 'cache' });
  assert.deepEqual(otherContainer, { outcome: 'duplicate', key, firstProcessedAt: '2026-11-25T12:00:00.000Z', seenBy: 'store' });
});

test('concurrent duplicates: of two containers racing on one key, exactly one runs the effect and the other fails to be retried', async () => {
  const clock = manualClock();
  const { runs } = effects();
  const key = 'reserve#order-race';
  // Each effect holds its lock until both attempts have either entered the effect or
  // been turned away, so the two attempts overlap (and a broken lock lets both in).
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrive = () => {
    if (++arrived === 2) release();
  };
  const slowEffect = async () => {
    runs.set(key, (runs.get(key) ?? 0) + 1);
    arrive();
    await gate;
  };
  const a = container(clock).execute(key, deadline(clock), slowEffect);
  const b = container(clock).execute(key, deadline(clock), slowEffect);
  a.catch(arrive);
  b.catch(arrive);
  const settled = Promise.allSettled([a, b]);
  const [ra, rb] = await settled;

  assert.equal(runs.get(key), 1);
  const outcomes = [ra, rb].map((r) => (r.status === 'fulfilled' ? r.value.outcome : (r.reason as Error).name)).sort();
  assert.deepEqual(outcomes, ['DedupeInProgressError', 'ran']);

  // The loser's redelivery, after its visibility timeout, is a duplicate.
  clock.advance(LAMBDA_TIMEOUT_MS * 6);
  const redelivery = await container(clock).execute(key, deadline(clock), slowEffect);
  assert.equal(redelivery.outcome, 'duplicate');
  assert.equal(runs.get(key), 1);
});

test('lock expiry after a crash: a lock never released blocks deliveries until the deadline, then the next delivery runs', async () => {
  const clock = manualClock();
  const { runs, handler } = effects();
  const key = 'reserve#order-crash';
  const crashed = await container(clock).begin(key, deadline(clock));
  assert.equal(crashed.outcome, 'run'); // the container dies here: no succeed(), no fail()

  clock.advance(LAMBDA_TIMEOUT_MS - 1);
  await assert.rejects(container(clock).execute(key, deadline(clock), handler(key)), DedupeInProgressError);
  assert.equal(runs.get(key), undefined);

  clock.advance(2);
  assert.deepEqual(await container(clock).execute(key, deadline(clock), handler(key)), { outcome: 'ran' });
  assert.equal(runs.get(key), 1);
});

test('handler failure then retry: the failed attempt releases its lock and the retry runs the effect once', async () => {
  const clock = manualClock();
  const runs: string[] = [];
  const key = 'reserve#order-flaky';
  const coordinator = container(clock);

  await assert.rejects(
    coordinator.execute(key, deadline(clock), async () => {
      runs.push('attempt 1');
      throw new Error('inventory service unavailable');
    }),
    /inventory service unavailable/,
  );
  assert.equal(await readDedupeItem(client(dynamo.endpoint), tableName, key), undefined, 'lock released');

  clock.advance(10_000);
  const retry = await container(clock).execute(key, deadline(clock), async () => void runs.push('attempt 2'));
  const duplicate = await container(clock).execute(key, deadline(clock), async () => void runs.push('attempt 3'));
  assert.equal(retry.outcome, 'ran');
  assert.equal(duplicate.outcome, 'duplicate');
  assert.deepEqual(runs, ['attempt 1', 'attempt 2']);
});

test('COMPLETED expiry: a delivery after ttlSeconds runs again, in the container that cached the key and in a fresh one', async () => {
  const clock = manualClock();
  const { runs, handler } = effects();
  const key = 'reserve#order-old';
  const warm = container(clock, { ttlSeconds: 60 });
  await warm.execute(key, deadline(clock), handler(key));

  clock.advance(59_000);
  assert.equal((await warm.execute(key, deadline(clock), handler(key))).outcome, 'duplicate');
  assert.equal((await container(clock, { ttlSeconds: 60 }).execute(key, deadline(clock), handler(key))).outcome, 'duplicate');

  clock.advance(2_000);
  assert.equal((await warm.execute(key, deadline(clock), handler(key))).outcome, 'ran');
  clock.advance(61_000);
  assert.equal((await container(clock, { ttlSeconds: 60 }).execute(key, deadline(clock), handler(key))).outcome, 'ran');
  assert.equal(runs.get(key), 3);
});

test('in-batch duplicates: the second record with the key waits for the first and is then a duplicate', async () => {
  const clock = manualClock();
  const { runs, handler } = effects();
  const key = 'reserve#order-batch';
  const coordinator = container(clock);
  // Records of one batch processed in parallel, as a standard queue's batch may be.
  const [first, second] = await Promise.all([
    coordinator.execute(key, deadline(clock), handler(key)),
    coordinator.execute(key, deadline(clock), handler(key)),
  ]);
  assert.equal(first.outcome, 'ran');
  assert.equal(second.outcome, 'duplicate');
  assert.equal(runs.get(key), 1);
});

test('in-batch duplicates: when the first record fails, the second with the key runs instead of failing on its lock', async () => {
  const clock = manualClock();
  const runs: string[] = [];
  const key = 'reserve#order-batch-fail';
  const coordinator = container(clock);
  const [first, second] = await Promise.allSettled([
    coordinator.execute(key, deadline(clock), async () => {
      runs.push('first');
      throw new Error('boom');
    }),
    coordinator.execute(key, deadline(clock), async () => void runs.push('second')),
  ]);
  assert.equal(first.status, 'rejected');
  assert.deepEqual(second, { status: 'fulfilled', value: { outcome: 'ran' } });
  assert.deepEqual(runs, ['first', 'second']);
});

test('store outage: with DynamoDB down the record fails without running the handler; after restart it runs once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'busline-dedupe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let server = await startDynalite({ path: dir });
  t.after(() => server.stop());
  const admin = client(server.endpoint);
  const table = await createDedupeTable(admin, 'outage');
  const clock = manualClock();
  const { runs, handler } = effects();
  const key = 'reserve#order-outage';
  const coordinator = container(clock, { endpoint: server.endpoint, table });

  await coordinator.execute('reserve#order-before', deadline(clock), handler('reserve#order-before'));
  await server.stop();

  await assert.rejects(coordinator.execute(key, deadline(clock), handler(key)), (error: unknown) => {
    assert.ok(error instanceof DedupeStoreError, `expected DedupeStoreError, got ${String(error)}`);
    return true;
  });
  assert.equal(runs.get(key), undefined, 'the handler never runs without the lock');

  server = await startDynalite({ port: server.port, path: dir });
  clock.advance(60_000);
  assert.equal((await coordinator.execute(key, deadline(clock), handler(key))).outcome, 'ran');
  assert.equal((await container(clock, { endpoint: server.endpoint, table }).execute(key, deadline(clock), handler(key))).outcome, 'duplicate');
  assert.equal(
    (await container(clock, { endpoint: server.endpoint, table }).execute('reserve#order-before', deadline(clock), handler('reserve#order-before'))).outcome,
    'duplicate',
    'records written before the outage survive it',
  );
  assert.equal(runs.get(key), 1);
});

/** A logger that keeps its lines, to check what an operator would see. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

test('store outage while the handler runs: the effect stands, the record succeeds, and the missed COMPLETED mark is logged', async (t) => {
  const server = await startDynalite();
  t.after(() => server.stop());
  const table = await createDedupeTable(client(server.endpoint), 'outage-after');
  const clock = manualClock();
  const { lines, logger } = recordingLogger();
  const store = new DynamoDbDedupeStore({ tableName: table, client: client(server.endpoint) });
  const coordinator = new DedupeCoordinator({ store, now: clock.now, logger });
  let ran = 0;

  const result = await coordinator.execute('reserve#order-mid-outage', deadline(clock), async () => {
    ran++;
    await server.stop();
  });

  assert.deepEqual(result, { outcome: 'ran' });
  assert.equal(ran, 1);
  const error = lines.find((l) => l.level === 'error');
  assert.match(error?.message ?? '', /marking it COMPLETED failed/);
  assert.equal(error?.fields?.['dedupeKey'], 'reserve#order-mid-outage');
  // This container still knows the key: a duplicate delivered here is skipped without the store.
  assert.equal((await coordinator.execute('reserve#order-mid-outage', deadline(clock), async () => void ran++)).outcome, 'duplicate');
  assert.equal(ran, 1);
});

test('store outage while a failing handler runs: the handler’s own error fails the record and the unreleased lock is logged', async (t) => {
  const server = await startDynalite();
  t.after(() => server.stop());
  const table = await createDedupeTable(client(server.endpoint), 'outage-release');
  const clock = manualClock();
  const { lines, logger } = recordingLogger();
  const store = new DynamoDbDedupeStore({ tableName: table, client: client(server.endpoint) });
  const coordinator = new DedupeCoordinator({ store, now: clock.now, logger });

  await assert.rejects(
    coordinator.execute('reserve#order-fail-outage', deadline(clock), async () => {
      await server.stop();
      throw new Error('payment declined');
    }),
    /payment declined/,
  );
  assert.match(lines.find((l) => l.level === 'warn')?.message ?? '', /could not release the lock/);
});

test('a duplicate is logged with its first processing time and reported to onDuplicate once', async () => {
  const clock = manualClock();
  const { lines, logger } = recordingLogger();
  const duplicates: unknown[] = [];
  const store = new DynamoDbDedupeStore({ tableName, client: client(dynamo.endpoint) });
  const coordinator = new DedupeCoordinator({ store, now: clock.now, logger, onDuplicate: (d) => duplicates.push(d) });
  const key = 'reserve#order-logged';
  await coordinator.execute(key, deadline(clock), async () => {});
  clock.advance(1_000);
  await container(clock).execute(key, deadline(clock), async () => {});
  await coordinator.execute(key, deadline(clock), async () => {});

  const info = lines.filter((l) => l.level === 'info');
  assert.equal(info.length, 1);
  assert.equal(info[0]?.message, 'duplicate event skipped: first processed at 2026-11-25T12:00:00.000Z');
  assert.deepEqual(info[0]?.fields, { dedupeKey: key, firstProcessedAt: '2026-11-25T12:00:00.000Z', seenBy: 'cache' });
  assert.deepEqual(duplicates, [{ key, firstProcessedAt: '2026-11-25T12:00:00.000Z', seenBy: 'cache' }]);
});

test('store throttled: every call answered with ProvisionedThroughputExceededException fails the record, and the handler never runs', async (t) => {
  // An HTTP endpoint on 127.0.0.1 that throttles every DynamoDB call, as the service does on the wire.
  let calls = 0;
  const throttling = createServer((req, res) => {
    calls++;
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput.' }));
    });
  });
  await new Promise<void>((resolve) => throttling.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { throttling.close(() => resolve()); throttling.closeAllConnections(); }));
  const throttled = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(throttling.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  t.after(() => throttled.destroy());
  const clock = manualClock();
  const coordinator = new DedupeCoordinator({ store: new DynamoDbDedupeStore({ tableName, client: throttled }), now: clock.now });
  let ran = false;

  await assert.rejects(coordinator.execute('reserve#order-throttled', deadline(clock), async () => void (ran = true)), (error: unknown) => {
    assert.ok(error instanceof DedupeStoreError);
    assert.match(error.message, /ProvisionedThroughputExceededException/);
    return true;
  });
  assert.equal(ran, false);
  assert.equal(calls, 2, 'the SDK retried the throttled call once before giving up');
});

test('a handler that outlives its lock: another container takes over, and the late COMPLETED mark is refused and logged as a possible double run', async () => {
  const clock = manualClock();
  const { lines, logger } = recordingLogger();
  const slowContainer = new DedupeCoordinator({ store: new DynamoDbDedupeStore({ tableName, client: client(dynamo.endpoint) }), now: clock.now, logger });
  const key = 'reserve#order-overran';
  const slow = await slowContainer.begin(key, deadline(clock));
  if (slow.outcome !== 'run') assert.fail('expected the lock');

  clock.advance(LAMBDA_TIMEOUT_MS + 1);
  const takeover = await container(clock).execute(key, deadline(clock), async () => {});
  assert.equal(takeover.outcome, 'ran');
  await slow.lease.succeed();

  const warning = lines.find((l) => l.level === 'warn');
  assert.match(warning?.message ?? '', /lock lapsed before the handler finished/);
  const item = await readDedupeItem(client(dynamo.endpoint), tableName, key);
  assert.equal(item?.['status']?.S, 'COMPLETED', 'the takeover’s own completion stands');
});
