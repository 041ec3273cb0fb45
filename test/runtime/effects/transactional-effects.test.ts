/**
 * ctx.write inside wrapHandler: the handler's declared DynamoDB writes are committed after it
 * succeeded, in one TransactWriteItems with the dedupe record's COMPLETED mark (or alone with
 * dedupe off), against the engine's DynamoDB backend on 127.0.0.1. Direct delivery, so a failed
 * record rejects the invocation and no SQS endpoint is needed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetItemCommand, PutItemCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { wrapHandler, type HandlerContext, type SubscriptionConfig } from '../../../lib/runtime/index.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, createStringKeyTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from '../fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const ctx = () => lambdaContext();
const direct = (dedupe: boolean): SubscriptionConfig =>
  subscriptionConfig({ delivery: 'direct', dedupe: dedupe ? { ttlSeconds: 86_400 } : false });

let dynamo: RunningDynalite;
let client: DynamoDBClient;
let dedupeTable: string;
const TABLE = 'Effects';

before(async () => {
  dynamo = await startDynalite();
  client = testDynamoDbClient(dynamo.endpoint);
  dedupeTable = await createDedupeTable(client, 'effects');
  await createStringKeyTable(client, TABLE, 'id');
});
after(async () => {
  client.destroy();
  await dynamo.stop();
});

type Handler = (data: { orderId: string }, ctx: HandlerContext) => Promise<void>;

function wrap(handler: Handler, dedupe = true) {
  return wrapHandler(handler, {
    config: direct(dedupe),
    validators,
    ...(dedupe ? { dedupe: { tableName: dedupeTable, client } } : { dynamoDbClient: client }),
    output: () => undefined,
  });
}

const countRun = (id: string): TransactWriteItem => ({
  Update: { TableName: TABLE, Key: { id: { S: id } }, UpdateExpression: 'ADD runs :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
});

async function runs(id: string): Promise<string | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }));
  return out.Item?.['runs']?.N;
}

const order = (orderId: string, eventId: string) => eventBridgeEvent('order.placed', { orderId, quantity: 1 }, { id: eventId });

test('declared writes commit with the COMPLETED mark: a redelivery to another container finds it COMPLETED and writes nothing', async () => {
  const handler: Handler = async (data, c) => c.write(countRun(data.orderId));
  await wrap(handler)(order('w-1', 'evt-w-1'), ctx());
  await wrap(handler)(order('w-1', 'evt-w-1'), ctx());
  assert.equal(await runs('w-1'), '1');
  assert.equal((await readDedupeItem(client, dedupeTable, 'reserve-inventory#evt-w-1'))?.['status']?.S, 'COMPLETED');
});

test('a handler that fails after ctx.write writes nothing, and its lock is released so the retry runs at once', async () => {
  let attempt = 0;
  const handler = wrap(async (data, c) => {
    c.write(countRun(data.orderId));
    if (++attempt === 1) throw new Error('first attempt fails after declaring its write');
  });
  await assert.rejects(handler(order('w-2', 'evt-w-2'), ctx()), /first attempt fails/);
  assert.equal(await runs('w-2'), undefined);
  assert.equal(await readDedupeItem(client, dedupeTable, 'reserve-inventory#evt-w-2'), undefined);
  await handler(order('w-2', 'evt-w-2'), ctx());
  assert.equal(await runs('w-2'), '1');
});

test("a declared write whose own condition fails cancels every write: EffectsCanceledError names the reason, the lock is released", async () => {
  await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'w-3-taken' } } }));
  const handler = wrap(async (data, c) => {
    c.write(countRun(data.orderId), { Put: { TableName: TABLE, Item: { id: { S: 'w-3-taken' } }, ConditionExpression: 'attribute_not_exists(id)' } });
  });
  await assert.rejects(handler(order('w-3', 'evt-w-3'), ctx()), (error: Error) => {
    assert.equal(error.name, 'EffectsCanceledError');
    assert.match(error.message, /write 2: ConditionalCheckFailed/);
    return true;
  });
  assert.equal(await runs('w-3'), undefined);
  assert.equal(await readDedupeItem(client, dedupeTable, 'reserve-inventory#evt-w-3'), undefined);
});

test('when the lock was taken over before the commit, nothing is applied and the record fails with DedupeLockLostError', async () => {
  const handler = wrap(async (data, c) => {
    c.write(countRun(data.orderId));
    // Another attempt takes the lock while this one runs (as after its lock lapsed).
    await client.send(new PutItemCommand({
      TableName: dedupeTable,
      Item: { pk: { S: 'reserve-inventory#evt-w-4' }, status: { S: 'IN_PROGRESS' }, lockToken: { S: 'someone-else' }, lockExpiresAt: { N: String(Date.now() + 60_000) } },
    }));
  });
  await assert.rejects(handler(order('w-4', 'evt-w-4'), ctx()), (error: Error) => error.name === 'DedupeLockLostError');
  assert.equal(await runs('w-4'), undefined);
  assert.equal((await readDedupeItem(client, dedupeTable, 'reserve-inventory#evt-w-4'))?.['lockToken']?.S, 'someone-else');
});

test('with dedupe off, the declared writes still commit as one transaction: all of them, or none', async () => {
  const both = (taken: string): Handler => async (data, c) => {
    c.write(countRun(data.orderId), { Put: { TableName: TABLE, Item: { id: { S: taken } }, ConditionExpression: 'attribute_not_exists(id)' } });
  };
  await wrap(both('w-5-new'), false)(order('w-5', 'evt-w-5'), ctx());
  assert.equal(await runs('w-5'), '1');
  await assert.rejects(wrap(both('w-5-new'), false)(order('w-6', 'evt-w-6'), ctx()), /ConditionalCheckFailed/);
  assert.equal(await runs('w-6'), undefined);
});

test('more than 99 declared writes fail the record with an error saying the limit and why', async () => {
  const handler = wrap(async (data, c) => {
    c.write(...Array.from({ length: 100 }, (_, i) => countRun(`${data.orderId}-${i}`)));
  });
  await assert.rejects(handler(order('w-7', 'evt-w-7'), ctx()), /at most 99 writes per record.*one is the dedupe mark/);
  assert.equal(await runs('w-7-0'), undefined);
});

test('a write that is not a TransactWriteItem is refused at ctx.write, naming what was wrong', async () => {
  const handler = wrap(async (_data, c) => {
    c.write({} as TransactWriteItem);
  });
  await assert.rejects(handler(order('w-8', 'evt-w-8'), ctx()), /exactly one of Put, Update, Delete or ConditionCheck, got none/);
});
