/**
 * Events published from a handler get ids derived from the run (dedupe key, else
 * `<subscription>#<event id>`), the topic and the publish's ordinal: a re-run republishes the
 * same ids, so downstream dedupe drops the copies. They are sent only once the handler
 * succeeded. The wire cases go through a real bus and queue (moto_server).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { wrapHandler, type HandlerContext } from '../../../lib/runtime/index.ts';
import { publishedEventId } from '../../../lib/runtime/effects/event-ids.ts';
import { motoServerMissing } from '../../support/moto-server.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { queueArn } from '../../support/sqs-batch.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from '../fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from '../fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
const BUS = 'ids-flow';
let env: MotoEnv;
let queue: string;
before(async () => {
  if (skip) return;
  env = await startMotoEnv();
  await env.eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
  queue = await env.createQueue('reserved');
  await env.eventBridge.send(new PutRuleCommand({ Name: 'reserved', EventBusName: BUS, EventPattern: JSON.stringify({ 'detail-type': ['inventory.reserved'] }) }));
  await env.eventBridge.send(new PutTargetsCommand({ Rule: 'reserved', EventBusName: BUS, Targets: [{ Id: 'q', Arn: await queueArn(env.sqs, queue) }] }));
});
after(() => env?.close());

test('a published event id is a version-5 UUID of the run, the topic and the ordinal: the same inputs give the same id', async () => {
  const id = await publishedEventId('reserve-inventory#evt-1', 'inventory.reserved', 0);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await publishedEventId('reserve-inventory#evt-1', 'inventory.reserved', 0), id);
  const others = await Promise.all([
    publishedEventId('reserve-inventory#evt-2', 'inventory.reserved', 0),
    publishedEventId('reserve-inventory#evt-1', 'shipment.requested', 0),
    publishedEventId('reserve-inventory#evt-1', 'inventory.reserved', 1),
  ]);
  assert.equal(new Set([id, ...others]).size, 4);
});

type Routed = { detail: { metadata: { id: string; causationId?: string }; data: { orderId: string } } };

function container(handler: (data: { orderId: string }, ctx: HandlerContext) => Promise<void>) {
  return wrapHandler(handler, { config: subscriptionConfig({ delivery: 'direct' }), validators, busName: BUS, output: () => undefined });
}

test('a re-run of the same event republishes the same ids (each publish of a run its own id)', { skip }, async () => {
  const publishTwice = async (data: { orderId: string }, ctx: HandlerContext): Promise<void> => {
    await ctx.publish('inventory.reserved', { orderId: `${data.orderId}-a`, reservationId: 'r-a' });
    await ctx.publish('inventory.reserved', { orderId: `${data.orderId}-b`, reservationId: 'r-b' });
  };
  const event = eventBridgeEvent('order.placed', { orderId: 'rerun', quantity: 1 }, { id: 'evt-rerun' });
  // Two containers handle the same event: a re-run after a crash, as far as ids go.
  await container(publishTwice)(event, lambdaContext());
  await container(publishTwice)(event, lambdaContext());
  const routed = (await env.drain(queue, 4)).map((m) => (JSON.parse(m.Body!) as Routed).detail);
  const idsOf = (orderId: string) => routed.filter((d) => d.data.orderId === orderId).map((d) => d.metadata.id);
  assert.equal(new Set(idsOf('rerun-a')).size, 1, 'both runs sent the first event with one id');
  assert.equal(new Set(idsOf('rerun-b')).size, 1, 'both runs sent the second event with one id');
  assert.notEqual(idsOf('rerun-a')[0], idsOf('rerun-b')[0]);
  assert.ok(routed.every((d) => d.metadata.causationId === 'evt-rerun'));
});

test('a handler that publishes and then fails publishes nothing', { skip }, async () => {
  const failing = container(async (data, ctx) => {
    await ctx.publish('inventory.reserved', { orderId: data.orderId, reservationId: 'r' });
    throw new Error('fails after publishing');
  });
  await assert.rejects(failing(eventBridgeEvent('order.placed', { orderId: 'failed', quantity: 1 }), lambdaContext()), /fails after publishing/);
  const succeeding = container(async (data, ctx) => ctx.publish('inventory.reserved', { orderId: data.orderId, reservationId: 'r' }));
  await succeeding(eventBridgeEvent('order.placed', { orderId: 'succeeded', quantity: 1 }), lambdaContext());
  const routed = (await env.drain(queue, 1)).map((m) => (JSON.parse(m.Body!) as Routed).detail.data.orderId);
  assert.deepEqual(routed, ['succeeded']);
  assert.deepEqual(await env.drain(queue, 1, 1), [], "nothing else arrives");
});
