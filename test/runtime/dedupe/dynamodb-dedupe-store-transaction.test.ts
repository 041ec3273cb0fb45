/**
 * DynamoDbDedupeStore.complete with the handler's writes: one TransactWriteItems carrying the
 * writes and the COMPLETED mark; and park(): the writes with the record turned PUBLISHING, the
 * events to send stored in it under the same lock, which the next acquire takes over once it
 * lapsed. The same cases run against the engine's DynamoDB backend and against moto_server (an
 * independent TransactWriteItems), which must answer alike.
 *
 * DynamoDB rules relied on: "TransactWriteItems" (API Reference,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
 * all actions apply or none; "PutItem" and "UpdateItem" (API Reference): a failed
 * ConditionExpression changes nothing, and ReturnValuesOnConditionCheckFailure ALL_OLD returns
 * the item as it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DynamoDbDedupeStore } from '../../../lib/runtime/dedupe/dynamodb-dedupe-store.ts';
import { InMemoryDedupeStore } from '../../../lib/runtime/dedupe/in-memory-dedupe-store.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { motoServerMissing, startMotoServer, type MotoServer } from '../../support/moto-server.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const REQUEST = { nowMs: T0 + 10, expiresAtMs: T0 + 86_400_000 };
const LOCK_MS = 60_000;
const EVENTS = JSON.stringify([{ topic: 'inventory.reserved', data: { orderId: 'o-1' }, id: 'ev-1' }]);

function cases(endpoint: () => string): void {
  let client: DynamoDBClient;
  let store: DynamoDbDedupeStore;
  let dedupeTable: string;
  const table = `Effects-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  before(async () => {
    client = testDynamoDbClient(endpoint());
    dedupeTable = await createDedupeTable(client, 'txn');
    store = new DynamoDbDedupeStore({ tableName: dedupeTable, client });
    await client.send(new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  });
  after(() => client?.destroy());

  const put = (id: string, condition?: string): TransactWriteItem => ({
    Put: { TableName: table, Item: { id: { S: id } }, ...(condition ? { ConditionExpression: condition } : {}) },
  });
  const exists = async (id: string): Promise<boolean> =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item !== undefined;
  const lock = async (key: string): Promise<string> => {
    const acquired = await store.acquire(key, { nowMs: T0, lockExpiresAtMs: T0 + LOCK_MS });
    if (acquired.outcome !== 'acquired') assert.fail(`expected the lock on ${key}`);
    return acquired.token;
  };

  test('the writes and the COMPLETED mark commit together', async () => {
    const token = await lock('sub#ok');
    assert.equal(await store.complete('sub#ok', token, REQUEST, [put('ok-1'), put('ok-2')]), true);
    assert.ok(await exists('ok-1'));
    assert.ok(await exists('ok-2'));
    assert.equal((await readDedupeItem(client, dedupeTable, 'sub#ok'))?.['status']?.S, 'COMPLETED');
  });

  test('a lost lock resolves false and applies none of the writes', async () => {
    await lock('sub#lost');
    assert.equal(await store.complete('sub#lost', 'not-our-token', REQUEST, [put('lost-1')]), false);
    assert.equal(await exists('lost-1'), false);
    assert.equal((await readDedupeItem(client, dedupeTable, 'sub#lost'))?.['status']?.S, 'IN_PROGRESS');
  });

  test("a write's own failed condition rejects with EffectsCanceledError naming it, and nothing is applied", async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'taken' } } }));
    const token = await lock('sub#cond');
    await assert.rejects(store.complete('sub#cond', token, REQUEST, [put('cond-1'), put('taken', 'attribute_not_exists(id)')]), (error: Error) => {
      assert.equal(error.name, 'EffectsCanceledError');
      assert.match(error.message, /write 2: ConditionalCheckFailed/);
      assert.doesNotMatch(error.message, /write 1:/);
      return true;
    });
    assert.equal(await exists('cond-1'), false);
    assert.equal((await readDedupeItem(client, dedupeTable, 'sub#cond'))?.['status']?.S, 'IN_PROGRESS');
  });

  const parked = async (key: string): Promise<string> => {
    const token = await lock(key);
    assert.equal(await store.park(key, token, REQUEST, [put(`${key}-write`)], EVENTS), true);
    return token;
  };
  const acquireAt = (key: string, nowMs: number) => store.acquire(key, { nowMs, lockExpiresAtMs: nowMs + LOCK_MS });

  test('park commits the writes and stores the events in the record, PUBLISHING under the same lock: another delivery meanwhile is in progress', async () => {
    await parked('sub#park');
    assert.ok(await exists('sub#park-write'));
    const item = await readDedupeItem(client, dedupeTable, 'sub#park');
    assert.equal(item?.['status']?.S, 'PUBLISHING');
    assert.equal(item?.['parkedEvents']?.S, EVENTS);
    assert.deepEqual(await acquireAt('sub#park', T0 + 1_000), { outcome: 'in-progress', lockExpiresAtMs: T0 + LOCK_MS });
  });

  test('once the lock of a PUBLISHING record lapsed (its holder crashed after the commit), the next acquire takes it over and gets the parked events', async () => {
    const first = await parked('sub#crash');
    const next = await acquireAt('sub#crash', T0 + LOCK_MS + 1);
    if (next.outcome !== 'acquired') assert.fail(`expected the lock to be taken over, got ${next.outcome}`);
    assert.equal(next.parkedEvents, EVENTS);
    assert.notEqual(next.token, first);
    const item = await readDedupeItem(client, dedupeTable, 'sub#crash');
    assert.deepEqual([item?.['status']?.S, item?.['lockToken']?.S, item?.['parkedEvents']?.S], ['PUBLISHING', next.token, EVENTS]);
    assert.equal(await store.complete('sub#crash', first, REQUEST), false, "the old holder's token no longer completes it");
  });

  test('releasing a parked record keeps it and its events and lets its lock lapse at once, so the retry takes it over', async () => {
    const token = await parked('sub#release');
    await store.release('sub#release', token, { parked: true });
    const next = await acquireAt('sub#release', T0 + 1_000);
    assert.equal(next.outcome === 'acquired' && next.parkedEvents, EVENTS);
  });

  test('complete after the events were sent turns PUBLISHING into COMPLETED without the events; a later delivery is a duplicate', async () => {
    const token = await parked('sub#done');
    assert.equal(await store.complete('sub#done', token, REQUEST), true);
    const item = await readDedupeItem(client, dedupeTable, 'sub#done');
    assert.deepEqual([item?.['status']?.S, item?.['parkedEvents']], ['COMPLETED', undefined]);
    assert.equal((await acquireAt('sub#done', T0 + LOCK_MS + 1)).outcome, 'completed');
  });
}

describe('against the engine DynamoDB backend', () => {
  let dynamo: RunningDynalite;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(() => dynamo?.stop());
  cases(() => dynamo.endpoint);
});

const noMoto = motoServerMissing();
describe('against moto_server', { skip: noMoto }, () => {
  let moto: MotoServer;
  before(async () => {
    moto = await startMotoServer();
  });
  after(() => moto?.stop());
  cases(() => moto.endpoint);
});

test('the in-memory store refuses writes it cannot commit with its mark, saying what to use instead', async () => {
  const store = new InMemoryDedupeStore();
  const lock = await store.acquire('sub#mem', { nowMs: T0, lockExpiresAtMs: T0 + 60_000 });
  if (lock.outcome !== 'acquired') assert.fail('expected the lock');
  await assert.rejects(store.complete('sub#mem', lock.token, REQUEST, [{ Put: { TableName: 't', Item: { id: { S: 'x' } } } }]), /use DynamoDbDedupeStore/);
});
