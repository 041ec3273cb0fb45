/**
 * One DynamoDB client per container: the dedupe store, the commit of ctx.write and the
 * handler's own calls (`dynamoDb()`) share the runtime's client, made on first use from the
 * environment. Over the wire against dynalite; runs in its own process (one test file), so the
 * container-wide client is made here, after the environment points at dynalite.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as staticSdk from '@aws-sdk/client-dynamodb';
import { DynamoDbDedupeStore, dynamoDb, dynamoDbSdk, wrapHandler, type HandlerContext } from '../../lib/runtime/index.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { createDedupeTable, testDynamoDbClient } from '../support/dedupe-table.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from './fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
let dynamo: RunningDynalite;
let admin: staticSdk.DynamoDBClient;
let table: string;
before(async () => {
  dynamo = await startDynalite();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  admin = testDynamoDbClient(dynamo.endpoint);
  table = await createDedupeTable(admin);
});
after(async () => {
  (await dynamoDb()).destroy();
  admin?.destroy();
  await dynamo?.stop();
});

test('dynamoDb() hands out one client per process, and a dedupe store without a client of its own uses it', async () => {
  const client = await dynamoDb();
  assert.equal(await dynamoDb(), client);
  assert.equal(await new DynamoDbDedupeStore({ tableName: table }).client(), client);
  const own = new DynamoDbDedupeStore({ tableName: table, clientConfig: { endpoint: dynamo.endpoint } });
  assert.notEqual(await own.client(), client, 'a store given clientConfig makes its own client');
  (await own.client()).destroy();
});

test('dynamoDbSdk() is the same @aws-sdk/client-dynamodb module a static import gives', async () => {
  const sdk = await dynamoDbSdk();
  assert.equal(sdk.UpdateItemCommand, staticSdk.UpdateItemCommand);
  assert.equal(sdk.DynamoDBClient, staticSdk.DynamoDBClient);
});

test('a handler writes through dynamoDb() beside the dedupe lock of its record, and both reach the table', async () => {
  const handler = wrapHandler(
    async (data: { orderId: string }, _ctx: HandlerContext) => {
      const [db, { PutItemCommand }] = await Promise.all([dynamoDb(), dynamoDbSdk()]);
      await db.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `direct#${data.orderId}` }, note: { S: 'written by the handler' } } }));
    },
    { config: subscriptionConfig({ delivery: 'direct', publishes: [], dedupe: { ttlSeconds: 60 } }), validators, dedupe: { tableName: table }, output: () => undefined },
  );
  await handler(eventBridgeEvent('order.placed', { orderId: 'shared-1', quantity: 1 }, { id: 'evt-shared-1' }), lambdaContext());
  const direct = await admin.send(new staticSdk.GetItemCommand({ TableName: table, Key: { pk: { S: 'direct#shared-1' } }, ConsistentRead: true }));
  assert.equal(direct.Item?.note?.S, 'written by the handler');
  const items = await admin.send(new staticSdk.ScanCommand({ TableName: table, ConsistentRead: true }));
  const mark = items.Items?.find((i) => i.pk?.S?.endsWith('#evt-shared-1'));
  assert.equal(mark?.status?.S, 'COMPLETED');
});
