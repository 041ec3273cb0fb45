/**
 * The reference flow's handlers, run as plain functions against a real DynamoDB endpoint
 * (the engine's DynamoDB backend, in process). The context is a plain HandlerContext that
 * records publications and declared writes; `run` commits the writes in one TransactWriteItems
 * after the handler returns, as the runtime does.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../lib/local/dynamodb/start-local-dynamodb.ts';
import type { HandlerContext, UserHandler } from '../../lib/runtime/handler-types.ts';


const TABLES = {
  RESERVATIONS_TABLE: ['Reservations', 'orderId'],
  SHIPMENTS_TABLE: ['Shipments', 'orderId'],
  NOTIFICATIONS_TABLE: ['Notifications', 'orderId'],
  CUSTOMER_HISTORY_TABLE: ['CustomerHistory', 'customerId'],
} as const;

let server: LocalDynamoDb;
let db: DynamoDBClient;
const handlers: Record<string, UserHandler<unknown>> = {};

before(async () => {
  server = await startLocalDynamoDb();
  const endpoint = server.endpoint;
  // The handlers build their SDK clients at import, from the environment, as on Lambda.
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  db = new DynamoDBClient({ endpoint });
  for (const [env, [name, key]] of Object.entries(TABLES)) {
    process.env[env] = name;
    await db.send(new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }
  for (const name of ['reserve-inventory', 'schedule-shipment', 'notify-customer', 'customer-history']) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { default: UserHandler<unknown> }).default;
  }
});

after(async () => {
  db?.destroy();
  await server?.stop();
});

interface Recorded { readonly published: Array<[string, unknown]>; readonly writes: TransactWriteItem[]; readonly ctx: HandlerContext }

function context(): Recorded {
  const published: Array<[string, unknown]> = [];
  const writes: TransactWriteItem[] = [];
  const quiet = (): void => {};
  return {
    published,
    writes,
    ctx: {
      publish: async (topic, data) => { published.push([topic, data]); },
      write: (...items) => { writes.push(...items); },
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      event: { id: 'evt-1', topic: 't', source: 's', time: new Date(0).toISOString(), correlationId: 'corr-1', attempt: 1 },
      signal: new AbortController().signal,
    },
  };
}

/** Runs a handler, then commits its declared writes in one transaction (as the runtime does on success). */
async function run(name: string, data: unknown, rec: Recorded = context()): Promise<Recorded> {
  const before = rec.writes.length;
  await handlers[name]!(data, rec.ctx);
  const declared = rec.writes.slice(before);
  if (declared.length > 0) await db.send(new TransactWriteItemsCommand({ TransactItems: declared }));
  return rec;
}

async function item(table: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const out = await db.send(new GetItemCommand({ TableName: table, Key: Object.fromEntries(Object.entries(key).map(([k, v]) => [k, { S: v }])), ConsistentRead: true }));
  return out.Item;
}

const order = (orderId: string, customerId: string, skus: string[]) => ({
  orderId, customerId, items: skus.map((sku) => ({ sku, qty: 1 })), total: 10, currency: 'EUR',
});

test('reserve-inventory declares one write counting the run in `runs` and publishes inventory.reserved', async () => {
  const first = await run('reserve-inventory', order('o-1', 'c-1', ['BOOK-1']));
  await run('reserve-inventory', order('o-1', 'c-1', ['BOOK-1']));
  assert.deepEqual((await item('Reservations', { orderId: 'o-1' }))?.runs, { N: '2' });
  assert.deepEqual(first.published, [['inventory.reserved', { orderId: 'o-1', items: [{ sku: 'BOOK-1', qty: 1 }] }]]);
});

test('reserve-inventory fails every time on a FAIL- sku, after counting the run, and publishes nothing', async () => {
  const rec = context();
  await assert.rejects(run('reserve-inventory', order('o-2', 'c-1', ['BOOK-1', 'FAIL-9']), rec), /FAIL-9/);
  await assert.rejects(run('reserve-inventory', order('o-2', 'c-1', ['BOOK-1', 'FAIL-9']), rec), /FAIL-9/);
  assert.deepEqual((await item('Reservations', { orderId: 'o-2' }))?.runs, { N: '2' });
  assert.deepEqual(rec.published, []);
  assert.deepEqual(rec.writes, [], 'the failing run counts itself with a direct write, not a declared one');
});

test('schedule-shipment books parcel for up to 10 units and freight above, and publishes shipment.scheduled', async () => {
  const small = await run('schedule-shipment', { orderId: 'o-3', items: [{ sku: 'A', qty: 10 }] });
  const big = await run('schedule-shipment', { orderId: 'o-4', items: [{ sku: 'A', qty: 10 }, { sku: 'B', qty: 1 }] });
  assert.deepEqual((await item('Shipments', { orderId: 'o-3' }))?.carrier, { S: 'parcel' });
  assert.deepEqual(small.published, [['shipment.scheduled', { orderId: 'o-3', carrier: 'parcel' }]]);
  assert.deepEqual(big.published, [['shipment.scheduled', { orderId: 'o-4', carrier: 'freight' }]]);
});

test('notify-customer writes one item per order with the carrier and the correlation id', async () => {
  await run('notify-customer', { orderId: 'o-5', carrier: 'parcel' });
  const saved = await item('Notifications', { orderId: 'o-5' });
  assert.deepEqual(saved?.carrier, { S: 'parcel' });
  assert.deepEqual(saved?.correlationId, { S: 'corr-1' });
});

test("customer-history appends each order to the customer's list in handling order", async () => {
  for (const id of ['o-7', 'o-6', 'o-8']) await run('customer-history', order(id, 'c-9', ['A']));
  assert.deepEqual((await item('CustomerHistory', { customerId: 'c-9' }))?.orders, { L: [{ S: 'o-7' }, { S: 'o-6' }, { S: 'o-8' }] });
});
