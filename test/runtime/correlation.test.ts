/**
 * Correlation across two hops of the orders → inventory → shipping flow, through a real bus
 * (moto_server): order.placed → reserve-inventory → inventory.reserved → request-shipment →
 * shipment.requested. Each hop's handler publishes with ctx.publish; the ids travel in metadata.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { createPublisher, wrapHandler } from '../../lib/runtime/index.ts';
import { motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { queueArn, receiveBatch } from '../support/sqs-batch.ts';
import { SCHEMAS_DIR, TOPICS, lambdaContext, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());

type Routed = { id: string; detail: { metadata: { id: string; correlationId: string; causationId?: string; traceparent: string }; data: Record<string, string> } };

test('correlation id is kept and causation id points at the previous event across two hops; the trace id carries through', { skip }, async () => {
  const busName = 'orders-flow';
  await env.eventBridge.send(new CreateEventBusCommand({ Name: busName }));
  const queues: Record<string, string> = {};
  for (const topic of ['order.placed', 'inventory.reserved', 'shipment.requested']) {
    queues[topic] = await env.createQueue(topic.replace('.', '-'), { VisibilityTimeout: '120' });
    await env.eventBridge.send(new PutRuleCommand({ Name: `to-${topic.replace('.', '-')}`, EventBusName: busName, EventPattern: JSON.stringify({ 'detail-type': [topic] }) }));
    await env.eventBridge.send(new PutTargetsCommand({ Rule: `to-${topic.replace('.', '-')}`, EventBusName: busName, Targets: [{ Id: 'q', Arn: await queueArn(env.sqs, queues[topic]!) }] }));
  }
  const quiet = { output: () => undefined, busName };
  const reserveInventory = wrapHandler<{ orderId: string }>(async (data, ctx) => ctx.publish('inventory.reserved', { orderId: data.orderId, reservationId: `r-${data.orderId}` }), {
    config: subscriptionConfig(),
    validators,
    ...quiet,
  });
  const requestShipment = wrapHandler<{ orderId: string; reservationId: string }>(async (data, ctx) => ctx.publish('shipment.requested', { orderId: data.orderId, reservationId: data.reservationId }), {
    config: subscriptionConfig({ subscription: 'request-shipment', consumes: ['inventory.reserved'], publishes: ['shipment.requested'] }),
    validators,
    ...quiet,
  });

  const placed = await createPublisher({ busName, topics: TOPICS, validators }).publish('order.placed', { orderId: 'o-42', quantity: 1 });
  const hop1 = await receiveBatch(env.sqs, queues['order.placed']!, 1);
  assert.deepEqual(await reserveInventory({ Records: hop1 }, lambdaContext() as unknown as Context), { batchItemFailures: [] });
  const hop2 = await receiveBatch(env.sqs, queues['inventory.reserved']!, 1);
  assert.deepEqual(await requestShipment({ Records: hop2 }, lambdaContext() as unknown as Context), { batchItemFailures: [] });
  const [shipmentMessage] = await env.drain(queues['shipment.requested']!, 1);

  const reserved = (JSON.parse(hop2[0]!.body) as Routed).detail.metadata;
  const shipment = (JSON.parse(shipmentMessage!.Body!) as Routed).detail;
  assert.equal(reserved.correlationId, placed.id);
  assert.equal(reserved.causationId, placed.id);
  assert.equal(shipment.metadata.correlationId, placed.id);
  assert.equal(shipment.metadata.causationId, reserved.id);
  assert.notEqual(reserved.id, placed.id);
  assert.deepEqual(shipment.data, { orderId: 'o-42', reservationId: 'r-o-42' });
  const traceId = (tp: string) => tp.split('-')[1];
  assert.equal(traceId(reserved.traceparent), traceId(placed.metadata.traceparent));
  assert.equal(traceId(shipment.metadata.traceparent), traceId(placed.metadata.traceparent));
  assert.notEqual(shipment.metadata.traceparent, reserved.traceparent);
});

test('ctx.publish of a topic the subscription does not declare fails the record for good, naming the fix', { skip }, async () => {
  const source = await env.createQueue('undeclared');
  const dlq = await env.createQueue('undeclared-dlq');
  const body = JSON.stringify({ version: '0', id: 'eb-u', 'detail-type': 'order.placed', source: 'busline.orders', account: '1', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: { metadata: { id: 'u-1' }, data: { orderId: 'u', quantity: 1 } } });
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  const records = await receiveBatch(env.sqs, source, 1);
  const handler = wrapHandler(async (_data, ctx) => ctx.publish('shipment.requested', { orderId: 'u' }), { config: subscriptionConfig(), validators, dlqUrl: dlq, busName: 'none', output: () => undefined });
  assert.deepEqual(await handler({ Records: records }, lambdaContext() as unknown as Context), { batchItemFailures: [] });
  const [dead] = await env.drain(dlq, 1);
  assert.match(dead!.MessageAttributes!['busline.error.message']!.StringValue!, /may not publish shipment\.requested: add it to the subscription's `publishes`/);
});
