/**
 * The bundle the constructs generate, run for real: the reserve-inventory function of the
 * reference app (user handler + build-time validators + runtime + SubscriptionConfig, one
 * esbuild output) handles a batch received from an SQS queue, with moto_server standing in
 * for SQS, EventBridge and DynamoDB.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { App } from 'aws-cdk-lib';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { OrdersStack } from '../../bin/orders-stack.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing, startMotoServer, type MotoServer } from '../support/moto-server.ts';
import { queueArn, receiveBatch } from '../support/sqs-batch.ts';
import { cdkJsonContext, ROOT } from './helpers.ts';

const skip = motoServerMissing();

// The bundle keeps @aws-sdk/* external: it must sit where Node finds the project's node_modules.
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'busline-constructs-tests');
let outdir = '';
let moto: MotoServer | undefined;
let sqs: SQSClient;
let ddb: DynamoDBClient;
let sourceUrl = '';
let dlqUrl = '';
let captureUrl = '';
let handler: (event: unknown, context: Context) => Promise<SQSBatchResponse | null | undefined>;

before(async () => {
  if (skip) return;
  moto = await startMotoServer();
  const client = { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  sqs = new SQSClient(client);
  ddb = new DynamoDBClient(client);
  const events = new EventBridgeClient(client);
  sourceUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'reserve-inventory' }))).QueueUrl!;
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'reserve-inventory-dlq' }))).QueueUrl!;
  captureUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'capture' }))).QueueUrl!;
  await events.send(new CreateEventBusCommand({ Name: 'orders' }));
  await events.send(new PutRuleCommand({ Name: 'capture', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['inventory.reserved'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'capture', EventBusName: 'orders', Targets: [{ Id: 'q', Arn: await queueArn(sqs, captureUrl) }] }));
  for (const [name, key] of [['Reservations', 'orderId'], ['Dedupe', 'pk']] as const) {
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    }));
  }
  events.destroy();

  // What Lambda's environment would hold once deployed (names from the template's variables).
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    BUSLINE_BUS_NAME: 'orders', BUSLINE_DLQ_URL: dlqUrl, BUSLINE_DEDUPE_TABLE: 'Dedupe', BUSLINE_LOG_LEVEL: 'error',
    RESERVATIONS_TABLE: 'Reservations',
  });

  mkdirSync(SCRATCH, { recursive: true });
  outdir = mkdtempSync(join(SCRATCH, 'run-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true } });
  const stack = new OrdersStack(app, 'BuslineOrders');
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
  const fn = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('ReserveInventory'))![1];
  const bundle = join(outdir, fn.Metadata!['aws:asset:path']!, 'index.mjs');
  ({ handler } = (await import(pathToFileURL(bundle).href)) as { handler: typeof handler });
});

after(async () => {
  sqs?.destroy();
  ddb?.destroy();
  await moto?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function orderPlacedEvent(id: string, data: Record<string, unknown>): string {
  return JSON.stringify({
    version: '0', id: `eb-${id}`, 'detail-type': 'order.placed', source: 'shop.orders', account: '123456789012',
    time: new Date().toISOString(), region: MOTO_REGION, resources: [],
    detail: { metadata: { id, correlationId: `corr-${id}` }, data },
  });
}

const lambdaContext = {
  functionName: 'reserve-inventory', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:reserve-inventory',
  memoryLimitInMB: '256', awsRequestId: 'req-1', logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000, done: () => {}, fail: () => {}, succeed: () => {},
} as Context;

test('the bundled function runs the handler on a valid event and parks a schema-invalid one in the DLQ, failing neither', { skip }, async () => {
  const valid = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'BOOK-1', qty: 2 }], total: 20, currency: 'EUR' };
  const invalid = { orderId: 'o-2', customerId: 'c-1', items: [], total: -1, currency: 'euro' };
  await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: orderPlacedEvent('m-1', valid) }));
  await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: orderPlacedEvent('m-2', invalid) }));
  const records = await receiveBatch(sqs, sourceUrl, 2);
  assert.equal(records.length, 2);

  const response = await handler({ Records: records }, lambdaContext);
  assert.deepEqual(response?.batchItemFailures ?? [], []);

  const reservation = await ddb.send(new GetItemCommand({ TableName: 'Reservations', Key: { orderId: { S: 'o-1' } }, ConsistentRead: true }));
  assert.deepEqual(reservation.Item?.runs, { N: '1' });
  const rejected = await ddb.send(new GetItemCommand({ TableName: 'Reservations', Key: { orderId: { S: 'o-2' } }, ConsistentRead: true }));
  assert.equal(rejected.Item, undefined, 'the invalid order never reached the handler');

  const parked = await receiveBatch(sqs, dlqUrl, 1);
  assert.equal(parked.length, 1);
  assert.ok(parked[0]!.body.includes('"o-2"'), 'the DLQ holds the invalid event');

  const published = await receiveBatch(sqs, captureUrl, 1);
  assert.equal(published.length, 1);
  const event = JSON.parse(published[0]!.body) as { source: string; 'detail-type': string; detail: { data: unknown; metadata: { causationId?: string; correlationId?: string } } };
  assert.equal(event.source, 'shop.inventory');
  assert.equal(event['detail-type'], 'inventory.reserved');
  assert.deepEqual(event.detail.data, { orderId: 'o-1', items: [{ sku: 'BOOK-1', qty: 2 }] });
  assert.equal(event.detail.metadata.causationId, 'm-1');
  assert.equal(event.detail.metadata.correlationId, 'corr-m-1');
});
