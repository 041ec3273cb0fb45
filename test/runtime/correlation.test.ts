/**
 * Correlation across two hops of the reference flow, through a real bus, queues and tables
 * (moto_server): order.placed → reserve-inventory → inventory.reserved → schedule-shipment →
 * shipment.scheduled, with the reference handlers from functions/ and schemas from schemas/.
 * Each hop's handler publishes with ctx.publish; the ids travel in metadata.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createPublisher, wrapHandler } from '../../lib/runtime/index.ts';
import { motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { queueArn, receiveBatch } from '../support/sqs-batch.ts';
import { SCHEMAS_DIR, lambdaContext, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());

type Routed = { id: string; detail: { metadata: { id: string; correlationId: string; causationId?: string; traceparent: string }; data: Record<string, unknown> } };

const REFERENCE_SCHEMAS = resolve(import.meta.dirname, '../../schemas');
const REFERENCE_TOPICS = {
  'order.placed': { source: 'shop.orders', latestVersion: 1 },
  'inventory.reserved': { source: 'shop.inventory', latestVersion: 1 },
  'shipment.scheduled': { source: 'shop.shipping', latestVersion: 1 },
};

test('two hops of the reference flow (reserve-inventory, schedule-shipment): correlation id kept, causation id points at the previous event, trace id carried', { skip }, async () => {
  const referenceValidators = await loadValidators(REFERENCE_SCHEMAS);
  const busName = 'orders-flow';
  await env.eventBridge.send(new CreateEventBusCommand({ Name: busName }));
  const queues: Record<string, string> = {};
  for (const topic of Object.keys(REFERENCE_TOPICS)) {
    const name = topic.replace('.', '-');
    queues[topic] = await env.createQueue(name, { VisibilityTimeout: '120' });
    await env.eventBridge.send(new PutRuleCommand({ Name: `to-${name}`, EventBusName: busName, EventPattern: JSON.stringify({ 'detail-type': [topic] }) }));
    await env.eventBridge.send(new PutTargetsCommand({ Rule: `to-${name}`, EventBusName: busName, Targets: [{ Id: 'q', Arn: await queueArn(env.sqs, queues[topic]!) }] }));
  }
  const dynamodb = new DynamoDBClient({});
  for (const table of ['Reservations', 'Shipments']) {
    await dynamodb.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  }
  process.env.RESERVATIONS_TABLE = 'Reservations';
  process.env.SHIPMENTS_TABLE = 'Shipments';
  // Imported after the environment points at moto: the handlers make their clients at load.
  const { default: reserveInventory } = await import('../../functions/reserve-inventory.ts');
  const { default: scheduleShipment } = await import('../../functions/schedule-shipment.ts');
  const base = { flow: 'Orders', topics: REFERENCE_TOPICS, retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 60 }, dedupe: false as const };
  const options = { validators: referenceValidators, busName, output: () => undefined };
  const hop1Handler = wrapHandler(reserveInventory, { ...options, config: { ...base, subscription: 'reserve-inventory', delivery: 'queue', consumes: ['order.placed'], publishes: ['inventory.reserved'] } });
  const hop2Handler = wrapHandler(scheduleShipment, { ...options, config: { ...base, subscription: 'schedule-shipment', delivery: 'queue', consumes: ['inventory.reserved'], publishes: ['shipment.scheduled'] } });

  const order = { orderId: 'o-42', customerId: 'c-7', items: [{ sku: 'BOOK-1', qty: 2 }], total: 30, currency: 'EUR' };
  const placed = await createPublisher({ busName, topics: REFERENCE_TOPICS, validators: referenceValidators }).publish('order.placed', order);
  const hop1 = await receiveBatch(env.sqs, queues['order.placed']!, 1);
  assert.deepEqual(await hop1Handler({ Records: hop1 }, lambdaContext()), { batchItemFailures: [] });
  const hop2 = await receiveBatch(env.sqs, queues['inventory.reserved']!, 1);
  assert.deepEqual(await hop2Handler({ Records: hop2 }, lambdaContext()), { batchItemFailures: [] });
  const [scheduledMessage] = await env.drain(queues['shipment.scheduled']!, 1);

  const reserved = (JSON.parse(hop2[0]!.body) as Routed).detail.metadata;
  const scheduled = (JSON.parse(scheduledMessage!.Body!) as Routed).detail;
  assert.equal(reserved.correlationId, placed.id);
  assert.equal(reserved.causationId, placed.id);
  assert.equal(scheduled.metadata.correlationId, placed.id);
  assert.equal(scheduled.metadata.causationId, reserved.id);
  assert.notEqual(reserved.id, placed.id);
  assert.deepEqual(scheduled.data, { orderId: 'o-42', carrier: 'parcel' });
  const traceId = (tp: string) => tp.split('-')[1];
  assert.equal(traceId(reserved.traceparent), traceId(placed.metadata.traceparent));
  assert.equal(traceId(scheduled.metadata.traceparent), traceId(placed.metadata.traceparent));
  assert.notEqual(scheduled.metadata.traceparent, reserved.traceparent);
  const reservation = await dynamodb.send(new GetItemCommand({ TableName: 'Reservations', Key: { orderId: { S: 'o-42' } } }));
  assert.equal(reservation.Item?.runs?.N, '1');
  dynamodb.destroy();
});

test('ctx.publish of a topic the subscription does not declare fails the record for good, naming the fix', { skip }, async () => {
  const source = await env.createQueue('undeclared');
  const dlq = await env.createQueue('undeclared-dlq');
  const body = JSON.stringify({ version: '0', id: 'eb-u', 'detail-type': 'order.placed', source: 'busline.orders', account: '1', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: { metadata: { id: 'u-1' }, data: { orderId: 'u', quantity: 1 } } });
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  const records = await receiveBatch(env.sqs, source, 1);
  const handler = wrapHandler(async (_data, ctx) => ctx.publish('shipment.requested', { orderId: 'u' }), { config: subscriptionConfig(), validators, dlqUrl: dlq, busName: 'none', output: () => undefined });
  assert.deepEqual(await handler({ Records: records }, lambdaContext()), { batchItemFailures: [] });
  const [dead] = await env.drain(dlq, 1);
  assert.match(dead!.MessageAttributes!['busline.error.message']!.StringValue!, /may not publish shipment\.requested: add it to the subscription's `publishes`/);
});
