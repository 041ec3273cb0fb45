/**
 * The reference flow's reserve-inventory handler (functions/reserve-inventory.ts, which
 * adds 1 to its Reservations item's `runs` on every run), wrapped exactly as the
 * constructs' generated entry does: the SubscriptionConfig the constructs build,
 * validators compiled from schemas/, and the table names from the environment. DynamoDB
 * (dedupe and Reservations tables) is dynalite, EventBridge (its publish) is moto_server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { App } from 'aws-cdk-lib';
import { OrdersStack } from '../../../bin/orders-stack.ts';
import { RUNTIME_ENV, wrapHandler, type SubscriptionConfig, type UserHandler } from '../../../lib/runtime/index.ts';
import { motoServerMissing } from '../../support/moto-server.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, readDedupeItem, testDynamoDbClient, waitUntilActive } from '../../support/dedupe-table.ts';
import { cdkJsonContext, ROOT } from '../../constructs/helpers.ts';
import { lambdaContext, sqsRecord } from '../fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from '../fixtures/moto-env.ts';

const skip = motoServerMissing();

let env: MotoEnv;
let dynamo: RunningDynalite;
let client: DynamoDBClient;
let config: SubscriptionConfig;
let reserveInventory: UserHandler;
let validators: Awaited<ReturnType<typeof loadValidators>>;
const RESERVATIONS = 'Reservations';

before(async () => {
  if (skip) return;
  env = await startMotoEnv(); // AWS_ENDPOINT_URL → moto, for the publisher's EventBridge client
  dynamo = await startDynalite();
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint; // the handler's and dedupe's DynamoDB clients
  client = testDynamoDbClient(dynamo.endpoint);
  process.env[RUNTIME_ENV.dedupeTable] = await createDedupeTable(client, 'orders-dedupe');
  await client.send(
    new CreateTableCommand({
      TableName: RESERVATIONS,
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilActive(client, RESERVATIONS);
  process.env['RESERVATIONS_TABLE'] = RESERVATIONS;
  process.env[RUNTIME_ENV.busName] = 'orders-bus';
  await env.eventBridge.send(new CreateEventBusCommand({ Name: 'orders-bus' }));

  // The configuration the constructs bake into this function's bundle.
  const stack = new OrdersStack(new App({ context: cdkJsonContext() }), 'DedupeReferenceFlow');
  config = stack.flow.subscriptions.find((s) => s.config.subscription === 'reserve-inventory')!.config;
  validators = await loadValidators(join(ROOT, 'schemas'));
  // Imported after the environment is set: the handler makes its DynamoDB client at load.
  reserveInventory = ((await import('../../../functions/reserve-inventory.ts')) as { default: UserHandler }).default;
});

after(async () => {
  client?.destroy();
  await dynamo?.stop();
  await env?.close();
});

let ebSeq = 0;
/** order.placed as the rule delivers it: a fresh EventBridge id on every publish, the producer's metadata.id kept. */
function orderPlaced(orderId: string, metadataId: string): string {
  return JSON.stringify({
    version: '0',
    id: `eb-${++ebSeq}`,
    'detail-type': 'order.placed',
    source: config.topics['order.placed']!.source,
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      metadata: { id: metadataId, publishedAt: new Date().toISOString() },
      data: { orderId, customerId: 'c-1', items: [{ sku: 'SKU-1', qty: 1 }], total: 10, currency: 'EUR' },
    },
  });
}

async function runsOf(orderId: string): Promise<number | undefined> {
  const item = await client.send(new GetItemCommand({ TableName: RESERVATIONS, Key: { orderId: { S: orderId } }, ConsistentRead: true }));
  return item.Item?.['runs']?.N === undefined ? undefined : Number(item.Item['runs'].N);
}

test('reference flow: the Reservations runs counter stays 1 for an order published twice with the same metadata.id, in one batch and on redelivery to another container', { skip }, async () => {
  assert.notEqual(config.dedupe, false, 'the reference flow keeps dedupe on');
  const containerA = wrapHandler(reserveInventory, { config, validators, output: () => undefined });
  const containerB = wrapHandler(reserveInventory, { config, validators, output: () => undefined });
  const ctx = () => lambdaContext();

  const first = await containerA(
    { Records: [orderPlaced('ord-1', 'evt-ord-1'), orderPlaced('ord-2', 'evt-ord-2'), orderPlaced('ord-1', 'evt-ord-1')].map((b) => sqsRecord(b)) },
    ctx(),
  );
  const redelivered = await containerB({ Records: [sqsRecord(orderPlaced('ord-1', 'evt-ord-1'))] }, ctx());

  assert.deepEqual(first, { batchItemFailures: [] });
  assert.deepEqual(redelivered, { batchItemFailures: [] });
  assert.equal(await runsOf('ord-1'), 1);
  assert.equal(await runsOf('ord-2'), 1);
  const record = await readDedupeItem(client, process.env[RUNTIME_ENV.dedupeTable]!, 'reserve-inventory#evt-ord-1');
  assert.equal(record?.['status']?.S, 'COMPLETED');
});
