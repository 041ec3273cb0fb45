/**
 * The SDK clients load on first use only: a batch that needs no DLQ send and no visibility
 * change never loads the SQS client. Runs in its own process (one test file), so the module
 * state starts clean; the tests run in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { wrapHandler } from '../../lib/runtime/index.ts';
import { loadedAwsModules } from '../../lib/runtime/aws-clients.ts';
import { motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());

const batch = (...data: unknown[]) => ({ Records: data.map((d) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', d)))) });

test('a batch of a subscription that publishes nothing, where every record succeeds, loads neither SDK client', { skip }, async () => {
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig({ publishes: [] }), validators, output: () => undefined });
  assert.deepEqual(await handler(batch({ orderId: 'a', quantity: 1 }), lambdaContext()), { batchItemFailures: [] });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(loadedAwsModules(), { sqs: false, eventBridge: false });
});

test('a subscription that declares publishes loads the EventBridge client at its first batch, before any publish, and not the SQS client', { skip }, async () => {
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, output: () => undefined });
  assert.deepEqual(await handler(batch({ orderId: 'a', quantity: 1 }), lambdaContext()), { batchItemFailures: [] });
  // The load starts on a later turn of the event loop, while records wait on I/O.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(loadedAwsModules(), { sqs: false, eventBridge: true });
});

test('publishing loads the EventBridge client but still not the SQS client', { skip }, async () => {
  await env.eventBridge.send(new CreateEventBusCommand({ Name: 'lazy-bus' }));
  const handler = wrapHandler(async (_d, ctx) => ctx.publish('inventory.reserved', { orderId: 'a', reservationId: 'r' }), {
    config: subscriptionConfig(),
    validators,
    busName: 'lazy-bus',
    output: () => undefined,
  });
  assert.deepEqual(await handler(batch({ orderId: 'a', quantity: 1 }), lambdaContext()), { batchItemFailures: [] });
  assert.deepEqual(loadedAwsModules(), { sqs: false, eventBridge: true });
});

test('a record for the DLQ loads the SQS client', { skip }, async () => {
  const dlq = await env.createQueue('lazy-dlq');
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, dlqUrl: dlq, output: () => undefined });
  assert.deepEqual(await handler(batch({ orderId: 'a', quantity: 0 }), lambdaContext()), { batchItemFailures: [] });
  assert.equal(loadedAwsModules().sqs, true);
});
