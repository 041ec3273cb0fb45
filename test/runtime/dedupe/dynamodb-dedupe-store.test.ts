/**
 * DynamoDbDedupeStore over the wire against dynalite on 127.0.0.1: the lock
 * protocol's states, expiry rules and token conditions, item by item.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDedupeStore } from '../../../lib/runtime/dedupe/dynamodb-dedupe-store.ts';
import { DedupeStoreError } from '../../../lib/runtime/dedupe/dedupe-store.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const MINUTE = 60_000;

let dynamo: RunningDynalite;
let client: DynamoDBClient;
let store: DynamoDbDedupeStore;
let tableName: string;

before(async () => {
  dynamo = await startDynalite();
  client = testDynamoDbClient(dynamo.endpoint);
  tableName = await createDedupeTable(client);
  store = new DynamoDbDedupeStore({ tableName, client });
});

after(async () => {
  client.destroy();
  await dynamo.stop();
});

test('the first acquire takes the lock and writes an IN_PROGRESS item expiring at the deadline', async () => {
  const result = await store.acquire('sub#first', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  assert.equal(result.outcome, 'acquired');
  const item = await readDedupeItem(client, tableName, 'sub#first');
  assert.equal(item?.['status']?.S, 'IN_PROGRESS');
  assert.equal(item?.['lockExpiresAt']?.N, String(T0 + MINUTE));
  assert.equal(item?.['expiresAt']?.N, String((T0 + MINUTE) / 1000), 'TTL attribute in epoch seconds');
  assert.equal(item?.['startedAt']?.N, String(T0));
});

test('a second acquire while the lock is live reports in-progress with the holder’s lock expiry', async () => {
  await store.acquire('sub#held', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  const second = await store.acquire('sub#held', { nowMs: T0 + 1_000, lockExpiresAtMs: T0 + 2 * MINUTE });
  assert.deepEqual(second, { outcome: 'in-progress', lockExpiresAtMs: T0 + MINUTE });
});

test('an IN_PROGRESS lock past its expiry is taken over by the next acquire', async () => {
  await store.acquire('sub#crashed', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  const next = await store.acquire('sub#crashed', { nowMs: T0 + MINUTE + 1, lockExpiresAtMs: T0 + 3 * MINUTE });
  assert.equal(next.outcome, 'acquired');
  const item = await readDedupeItem(client, tableName, 'sub#crashed');
  assert.equal(item?.['lockExpiresAt']?.N, String(T0 + 3 * MINUTE));
});

test('complete marks the item COMPLETED with its expiry and drops the lock expiry', async () => {
  const lock = await store.acquire('sub#done', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  assert.equal(lock.outcome, 'acquired');
  if (lock.outcome !== 'acquired') return;
  const ours = await store.complete('sub#done', lock.token, { nowMs: T0 + 500, expiresAtMs: T0 + 86_400_000 });
  assert.equal(ours, true);
  const item = await readDedupeItem(client, tableName, 'sub#done');
  assert.equal(item?.['status']?.S, 'COMPLETED');
  assert.equal(item?.['processedAt']?.N, String(T0 + 500));
  assert.equal(item?.['expiresAt']?.N, String((T0 + 86_400_000) / 1000));
  assert.equal(item?.['lockExpiresAt'], undefined);
});

test('an acquire on a COMPLETED key reports completed with the first processing time, even after its lock deadline', async () => {
  const lock = await store.acquire('sub#dup', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  if (lock.outcome !== 'acquired') assert.fail('expected the lock');
  await store.complete('sub#dup', lock.token, { nowMs: T0 + 500, expiresAtMs: T0 + 86_400_000 });
  const again = await store.acquire('sub#dup', { nowMs: T0 + 10 * MINUTE, lockExpiresAtMs: T0 + 11 * MINUTE });
  assert.deepEqual(again, { outcome: 'completed', processedAtMs: T0 + 500, expiresAtMs: T0 + 86_400_000 });
});

test('a COMPLETED item past its expiry counts as absent although it was never deleted', async () => {
  const lock = await store.acquire('sub#stale', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  if (lock.outcome !== 'acquired') assert.fail('expected the lock');
  await store.complete('sub#stale', lock.token, { nowMs: T0, expiresAtMs: T0 + 10 * MINUTE });
  const later = await store.acquire('sub#stale', { nowMs: T0 + 11 * MINUTE, lockExpiresAtMs: T0 + 12 * MINUTE });
  assert.equal(later.outcome, 'acquired');
});

test('release deletes our own IN_PROGRESS item so the retry can take the lock', async () => {
  const lock = await store.acquire('sub#failed', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  if (lock.outcome !== 'acquired') assert.fail('expected the lock');
  await store.release('sub#failed', lock.token);
  assert.equal(await readDedupeItem(client, tableName, 'sub#failed'), undefined);
  assert.equal((await store.acquire('sub#failed', { nowMs: T0 + 1, lockExpiresAtMs: T0 + MINUTE })).outcome, 'acquired');
});

test('release and complete with a lapsed token leave the new holder’s lock alone', async () => {
  const stale = await store.acquire('sub#taken-over', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  const fresh = await store.acquire('sub#taken-over', { nowMs: T0 + 2 * MINUTE, lockExpiresAtMs: T0 + 3 * MINUTE });
  if (stale.outcome !== 'acquired' || fresh.outcome !== 'acquired') assert.fail('expected both locks in turn');
  await store.release('sub#taken-over', stale.token);
  assert.equal(await store.complete('sub#taken-over', stale.token, { nowMs: T0, expiresAtMs: T0 + MINUTE }), false);
  const item = await readDedupeItem(client, tableName, 'sub#taken-over');
  assert.equal(item?.['status']?.S, 'IN_PROGRESS');
  assert.equal(item?.['lockToken']?.S, fresh.token);
});

test('a missing table is a DedupeStoreError naming the table and saying the record will be retried', async () => {
  const missing = new DynamoDbDedupeStore({ tableName: 'no-such-dedupe-table', client });
  await assert.rejects(missing.acquire('sub#x', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE }), (error: unknown) => {
    assert.ok(error instanceof DedupeStoreError);
    assert.match(error.message, /no-such-dedupe-table/);
    assert.match(error.message, /retried/);
    assert.equal((error.cause as Error).name, 'ResourceNotFoundException');
    return true;
  });
});

test('a store without a table name is refused at construction, pointing at BUSLINE_DEDUPE_TABLE', () => {
  assert.throws(() => new DynamoDbDedupeStore({ tableName: '' }), /BUSLINE_DEDUPE_TABLE/);
});

test('without a client, the store makes its own on first use from clientConfig', async () => {
  const own = new DynamoDbDedupeStore({
    tableName,
    clientConfig: { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  assert.equal((await own.acquire('sub#own-client', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE })).outcome, 'acquired');
  assert.equal((await readDedupeItem(client, tableName, 'sub#own-client'))?.['status']?.S, 'IN_PROGRESS');
});
