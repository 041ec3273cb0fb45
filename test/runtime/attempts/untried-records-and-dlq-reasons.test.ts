/**
 * Finding 3 of issue 13: records that never ran must not reach the DLQ, and every message the
 * runtime dead-letters says why. Run over the wire against the local engine (SQS with its
 * redrive, DynamoDB for the runtime's attempt counts), polling the queue as an SQS event source
 * mapping does (test/support/sqs-batch.ts deliverBatch).
 *
 * The AWS rules modelled:
 * - "Using dead-letter queues in Amazon SQS" (SQS Developer Guide,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html):
 *   the source queue's redrive policy moves a message to the DLQ once its receive count exceeds
 *   maxReceiveCount; every receive counts, whether the consumer worked on the message or not.
 * - "Handling errors for an SQS event source in Lambda" (Lambda Developer Guide,
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): with
 *   ReportBatchItemFailures only the listed records return to the queue; on a FIFO queue the
 *   function stops at the first failure and lists it and every later record, to keep the order.
 * - "How Lambda handles errors and retries with asynchronous invocation" (Lambda Developer Guide,
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): a
 *   function error is retried (at most twice) with the same event; the AWS knowledge-center
 *   article on duplicate Lambda invocations says such retries carry the same request id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES, wrapHandler, type SubscriptionConfig } from '../../../lib/runtime/index.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { createDedupeTable } from '../../support/dedupe-table.ts';
import { deliverBatch } from '../../support/sqs-batch.ts';
import { startEngine, type EngineFixture } from '../../local/support/engine-fixture.ts';
import { sourceQueueMaxReceiveCount } from '../../../lib/constructs/redrive-headroom.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from '../fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
let f: EngineFixture;
let table: string;
let n = 0;

before(async () => {
  f = await startEngine({ withoutDynamoDb: false });
  // The runtime finds a record's queue URL from its ARN under the endpoint override, as in Lambda on the engine.
  process.env.AWS_ENDPOINT_URL = f.engine.endpoint;
  table = await createDedupeTable(f.dynamodb, 'attempts');
});
after(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  await f.close();
});

const MAX_ATTEMPTS = 3;
const retry = { maxAttempts: MAX_ATTEMPTS, backoffBaseSeconds: 0, backoffMaxSeconds: 0 };

async function queueWithDlq(fifo: boolean, maxReceiveCount: number): Promise<{ url: string; dlqUrl: string }> {
  const suffix = fifo ? '.fifo' : '';
  const fifoAttributes = fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {};
  const name = `attempts-${process.pid}-${++n}`;
  const dlqUrl = (await f.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: fifoAttributes }))).QueueUrl!;
  const dlqArn = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (await f.sqs.send(new CreateQueueCommand({
    QueueName: `${name}${suffix}`,
    Attributes: { ...fifoAttributes, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
  }))).QueueUrl!;
  return { url, dlqUrl };
}

async function dlqMessages(dlqUrl: string): Promise<Message[]> {
  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
  return out.Messages ?? [];
}

const attr = (m: Message | undefined, name: string): string | undefined => m?.MessageAttributes?.[name]?.StringValue;
const orderOf = (m: Message): string => (JSON.parse(m.Body!) as { detail: { data: { orderId: string } } }).detail.data.orderId;

type Handle = (orderId: string, signal: AbortSignal) => Promise<void>;

function wrapCounting(config: SubscriptionConfig, dlqUrl: string, handle: Handle): { handler: ReturnType<typeof wrapHandler>; runs: string[] } {
  const runs: string[] = [];
  const handler = wrapHandler<{ orderId: string }>(
    async ({ orderId }, ctx) => {
      runs.push(orderId);
      await handle(orderId, ctx.signal);
    },
    { config, validators, dlqUrl, sqsClient: f.sqs, dedupe: { tableName: table, client: f.dynamodb }, recordConcurrency: 1, output: () => undefined },
  );
  return { handler, runs };
}

const failFor = (poison: readonly string[]): Handle => async (orderId) => {
  if (poison.includes(orderId)) throw new Error(`no stock for ${orderId}`);
};

/** Messages on the queue, visible, in flight or delayed. */
async function messagesOn(url: string): Promise<number> {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
  const { Attributes = {} } = await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }));
  return names.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
}

/** Polls like an event source mapping until no message is left (a FIFO group is held while any of it is in flight). */
async function pollUntilEmpty(url: string, handler: ReturnType<typeof wrapHandler>, maxPolls: number, invocationMs = 30_000): Promise<void> {
  for (let polls = 1; polls <= maxPolls; polls++) {
    // A 2 s visibility: records reported failed, untouched by the backoff, return soon.
    const { records } = await deliverBatch(f.sqs, url, (event) => handler(event, lambdaContext(invocationMs)), { visibilityTimeout: 2, waitSeconds: 3 });
    if (records.length === 0 && (await messagesOn(url)) === 0) return;
  }
  throw new Error(`messages were still on the queue after ${maxPolls} polls`);
}

test('ordered delivery with maxReceiveCount = maxAttempts: a poison head goes to the DLQ after its own maxAttempts runs, with its reason, and the records behind it run instead of being dead-lettered untried', async () => {
  const { url, dlqUrl } = await queueWithDlq(true, MAX_ATTEMPTS);
  for (const orderId of ['poison', 'after-1', 'after-2']) {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId, quantity: 1 })), MessageGroupId: 'customer-1' }));
  }
  const { handler, runs } = wrapCounting(subscriptionConfig({ delivery: 'ordered', retry, dedupe: { ttlSeconds: 86_400 } }), dlqUrl, failFor(['poison']));

  await pollUntilEmpty(url, handler, 12);

  assert.deepEqual(runs, ['poison', 'poison', 'poison', 'after-1', 'after-2'], 'the head ran maxAttempts times, then the rest in order');
  const dead = await dlqMessages(dlqUrl);
  assert.deepEqual(dead.map(orderOf), ['poison'], 'only the record that failed is in the DLQ');
  const [poison] = dead;
  assert.equal(attr(poison, DLQ_ATTRIBUTES.reason), 'retries-exhausted');
  assert.equal(attr(poison, DLQ_ATTRIBUTES.errorName), 'Error');
  assert.equal(attr(poison, DLQ_ATTRIBUTES.errorMessage), 'no stock for poison');
  assert.equal(attr(poison, DLQ_ATTRIBUTES.attempt), String(MAX_ATTEMPTS));
  const first = Date.parse(attr(poison, DLQ_ATTRIBUTES.firstFailedAt) ?? '');
  const last = Date.parse(attr(poison, DLQ_ATTRIBUTES.failedAt) ?? '');
  assert.ok(first < last, `first failure ${attr(poison, DLQ_ATTRIBUTES.firstFailedAt)} before the last ${attr(poison, DLQ_ATTRIBUTES.failedAt)}`);
});

test('ordered delivery with the constructs\' redrive headroom: a record behind a poison head gets maxAttempts runs of its own, although every batch it waited in raised its receive count', async () => {
  const { url, dlqUrl } = await queueWithDlq(true, sourceQueueMaxReceiveCount(MAX_ATTEMPTS, 10));
  for (const orderId of ['poison-1', 'poison-2', 'fine']) {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId, quantity: 1 })), MessageGroupId: 'customer-2' }));
  }
  const { handler, runs } = wrapCounting(subscriptionConfig({ delivery: 'ordered', retry, dedupe: { ttlSeconds: 86_400 } }), dlqUrl, failFor(['poison-1', 'poison-2']));

  await pollUntilEmpty(url, handler, 16);

  // poison-2 was received with poison-1 three times, untried, then ran three times: its receive
  // count reached 5, above maxAttempts, and only the runtime's own count decided.
  assert.deepEqual(runs, ['poison-1', 'poison-1', 'poison-1', 'poison-2', 'poison-2', 'poison-2', 'fine']);
  const dead = await dlqMessages(dlqUrl);
  assert.deepEqual(dead.map((m) => [orderOf(m), attr(m, DLQ_ATTRIBUTES.reason), attr(m, DLQ_ATTRIBUTES.attempt)]), [
    ['poison-1', 'retries-exhausted', '3'],
    ['poison-2', 'retries-exhausted', '3'],
  ]);
});

test('queue delivery: records the timeout guard left untried are not counted; the record it aborted each time goes to the DLQ after maxAttempts with TimeoutGuardError, and the rest run once', async () => {
  const { url, dlqUrl } = await queueWithDlq(false, sourceQueueMaxReceiveCount(MAX_ATTEMPTS, 10));
  const orders = ['slow', 'quick-1', 'quick-2', 'quick-3'];
  for (const orderId of orders) {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId, quantity: 1 })) }));
  }
  // `slow` outlives the invocation (it waits for the guard's abort); records one at a time.
  const { handler, runs } = wrapCounting(subscriptionConfig({ retry, dedupe: { ttlSeconds: 86_400 } }), dlqUrl, async (orderId, signal) => {
    if (orderId === 'slow') await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  });

  // 4 s to the deadline with the 1 s margin: the guard fires while `slow` runs, 3 s in.
  await pollUntilEmpty(url, handler, 16, 4_000);

  assert.equal(runs.filter((id) => id === 'slow').length, MAX_ATTEMPTS, 'slow ran maxAttempts times');
  assert.deepEqual(runs.filter((id) => id !== 'slow').sort(), ['quick-1', 'quick-2', 'quick-3'], 'every other record ran exactly once');
  const dead = await dlqMessages(dlqUrl);
  assert.deepEqual(dead.map((m) => [orderOf(m), attr(m, DLQ_ATTRIBUTES.reason), attr(m, DLQ_ATTRIBUTES.errorName), attr(m, DLQ_ATTRIBUTES.attempt)]), [
    ['slow', 'retries-exhausted', 'TimeoutGuardError', '3'],
  ]);
});

test('direct delivery: the last of maxAttempts invocations with one request id sends the event to the DLQ with its reason and returns normally, instead of leaving it to Lambda\'s on-failure record', async () => {
  const { dlqUrl } = await queueWithDlq(false, MAX_ATTEMPTS);
  const { handler, runs } = wrapCounting(subscriptionConfig({ delivery: 'direct', retry, dedupe: { ttlSeconds: 86_400 } }), dlqUrl, failFor(['direct-poison']));
  const event = eventBridgeEvent('order.placed', { orderId: 'direct-poison', quantity: 1 });
  const invocation = { ...lambdaContext(), awsRequestId: `req-direct-${process.pid}` };
  // Lambda's async invoke: the first call and its retries carry the same event and request id.
  await assert.rejects(handler(event, invocation), /no stock for direct-poison/);
  await assert.rejects(handler(event, invocation), /no stock for direct-poison/);
  assert.equal(await handler(event, invocation), null, 'the last attempt answers normally: the event is in the DLQ');
  assert.equal(runs.length, MAX_ATTEMPTS);
  const [dead] = await dlqMessages(dlqUrl);
  assert.deepEqual(JSON.parse(dead?.Body ?? '{}'), event, 'the DLQ message is the event itself');
  assert.equal(attr(dead, DLQ_ATTRIBUTES.reason), 'retries-exhausted');
  assert.equal(attr(dead, DLQ_ATTRIBUTES.errorMessage), 'no stock for direct-poison');
  assert.equal(attr(dead, DLQ_ATTRIBUTES.attempt), String(MAX_ATTEMPTS));
  assert.ok(attr(dead, DLQ_ATTRIBUTES.firstFailedAt), 'the first failure time');
});
