/**
 * The dedupe step on real SQS batches (moto_server) with the store on dynalite:
 * failed records come back through the queue after the runtime's visibility change,
 * and dead-lettered ones land in the DLQ with their reason.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DLQ_ATTRIBUTES, wrapHandler, type SubscriptionConfig } from '../../../lib/runtime/index.ts';
import { motoServerMissing } from '../../support/moto-server.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { receiveBatch } from '../../support/sqs-batch.ts';
import { startDynalite, type RunningDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from '../fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from '../fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
const ctx = () => lambdaContext();

let env: MotoEnv;
let dynamo: RunningDynalite;
let client: DynamoDBClient;
let tableName: string;

before(async () => {
  if (skip) return;
  env = await startMotoEnv();
  dynamo = await startDynalite();
  client = testDynamoDbClient(dynamo.endpoint);
  tableName = await createDedupeTable(client, 'sqs');
});
after(async () => {
  client?.destroy();
  await dynamo?.stop();
  await env?.close();
});

const dedupeOn = (dedupe: SubscriptionConfig['dedupe'] = { ttlSeconds: 86_400 }) =>
  // Backoff base and cap of 1 s: a failed record is visible again within a second.
  subscriptionConfig({ dedupe, retry: { maxAttempts: 5, backoffBaseSeconds: 1, backoffMaxSeconds: 1 } });

test('a published-twice order whose first delivery fails: the in-batch duplicate runs, the failed record returns through the queue and is skipped — one effect', { skip }, async () => {
  const queue = await env.createQueue('dedupe-retry', { VisibilityTimeout: '120' });
  const body = (ebOrder: number) => JSON.stringify({ ...eventBridgeEvent('order.placed', { orderId: 'o-sqs', quantity: 1 }, { id: 'evt-sqs-twice' }), id: `eb-twice-${ebOrder}` });
  await env.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body(1) }));
  await env.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body(2) }));

  let calls = 0;
  let effects = 0;
  const handler = wrapHandler(
    async () => {
      if (++calls === 1) throw new Error('inventory service unavailable');
      effects++;
    },
    { config: dedupeOn(), validators, dedupe: { tableName, client }, output: () => undefined },
  );

  const first = await receiveBatch(env.sqs, queue, 2);
  assert.equal(first.length, 2);
  const response = await handler({ Records: first }, ctx());
  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: first[0]!.messageId }] });
  assert.equal(effects, 1, 'the second record took the released lock and ran');

  // The runtime set the failed record's visibility to ≤ 1 s: it comes back, and is now a duplicate.
  const redelivered = await receiveBatch(env.sqs, queue, 1, { waitSeconds: 5 });
  assert.equal(redelivered[0]?.messageId, first[0]!.messageId);
  assert.equal(redelivered[0]?.attributes.ApproximateReceiveCount, '2');
  assert.deepEqual(await handler({ Records: redelivered }, ctx()), { batchItemFailures: [] });
  assert.equal(calls, 2);
  assert.equal(effects, 1);
});

test('an event without the dedupe keyPath in its data goes to the DLQ with DedupeKeyError, and its handler does not run', { skip }, async () => {
  const queue = await env.createQueue('dedupe-key', { VisibilityTimeout: '120' });
  const dlq = await env.createQueue('dedupe-key-dlq');
  const body = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'o-nosku', quantity: 1 }));
  await env.sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: body }));
  let ran = false;
  const handler = wrapHandler(async () => void (ran = true), {
    config: dedupeOn({ ttlSeconds: 86_400, keyPath: 'sku' }),
    validators,
    dlqUrl: dlq,
    dedupe: { tableName, client },
    output: () => undefined,
  });

  const records = await receiveBatch(env.sqs, queue, 1);
  assert.deepEqual(await handler({ Records: records }, ctx()), { batchItemFailures: [] });
  assert.equal(ran, false);
  const [dead] = await env.drain(dlq, 1);
  assert.equal(dead?.Body, body);
  assert.equal(dead?.MessageAttributes?.[DLQ_ATTRIBUTES.errorName]?.StringValue, 'DedupeKeyError');
  assert.match(dead?.MessageAttributes?.[DLQ_ATTRIBUTES.errorMessage]?.StringValue ?? '', /data\.sku/);
});
