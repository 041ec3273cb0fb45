/**
 * The wrapped handler on real SQS batches from moto_server: partial failures, DLQ with reason,
 * backoff by visibility change, the FIFO rule, direct delivery, and the timeout guard.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES, NonRetryableError, wrapHandler } from '../../lib/runtime/index.ts';
import { motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { receiveBatch } from '../support/sqs-batch.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(SCHEMAS_DIR);
let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(() => env?.close());

const ctx = (ms?: number) => lambdaContext(ms);
const attr = (m: { MessageAttributes?: Record<string, { StringValue?: string }> }, name: string) => m.MessageAttributes?.[name]?.StringValue;

test('a batch of 10 with one schema-invalid, one malformed-JSON and one throwing record: 7 succeed, the 2 invalid ones are in the DLQ with reasons, the thrown one is retried after a visibility change', { skip }, async () => {
  const source = await env.createQueue('reserve-inventory', { VisibilityTimeout: '120' });
  const dlq = await env.createQueue('reserve-inventory-dlq');
  const bodies: string[] = [];
  for (let i = 0; i < 7; i++) bodies.push(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `ok-${i}`, quantity: 1 })));
  const invalidBody = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'bad', quantity: 0 }));
  const malformedBody = '{"version":"0","id":"x", not json';
  const throwingBody = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'boom', quantity: 2 }));
  bodies.splice(2, 0, invalidBody);
  bodies.splice(5, 0, malformedBody);
  bodies.splice(8, 0, throwingBody);
  await env.sqs.send(new SendMessageBatchCommand({ QueueUrl: source, Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })) }));
  const records = await receiveBatch(env.sqs, source, 10);
  assert.equal(records.length, 10);

  const handled: string[] = [];
  const handler = wrapHandler<{ orderId: string }>(
    async (data) => {
      handled.push(data.orderId);
      if (data.orderId === 'boom') throw new Error('inventory service unavailable');
    },
    { config: subscriptionConfig(), validators, dlqUrl: dlq, output: () => undefined },
  );
  const response = await handler({ Records: records }, ctx());

  const byBody = (body: string) => records.find((r) => r.body === body)!.messageId;
  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: byBody(throwingBody) }] });
  assert.equal(handled.length, 8);

  const dead = await env.drain(dlq, 2);
  assert.equal(dead.length, 2);
  const invalid = dead.find((m) => m.Body === invalidBody)!;
  const malformed = dead.find((m) => m.Body === malformedBody)!;
  assert.equal(attr(invalid, DLQ_ATTRIBUTES.reason), 'invalid');
  assert.equal(attr(invalid, DLQ_ATTRIBUTES.errorName), 'ValidationSchemaError');
  assert.match(attr(invalid, DLQ_ATTRIBUTES.errorMessage)!, /\/quantity must be >= 1/);
  assert.equal(attr(invalid, DLQ_ATTRIBUTES.subscription), 'reserve-inventory');
  assert.equal(attr(invalid, DLQ_ATTRIBUTES.attempt), '1');
  assert.equal(attr(invalid, DLQ_ATTRIBUTES.topic), 'order.placed');
  assert.ok(Date.parse(attr(invalid, DLQ_ATTRIBUTES.firstFailedAt)!) <= Date.parse(attr(invalid, DLQ_ATTRIBUTES.failedAt)!));
  assert.equal(attr(malformed, DLQ_ATTRIBUTES.reason), 'malformed');
  assert.equal(attr(malformed, DLQ_ATTRIBUTES.errorName), 'EnvelopeMalformedBodyError');
  assert.equal(attr(malformed, DLQ_ATTRIBUTES.sourceMessageId), byBody(malformedBody));

  // Received with a 120 s visibility timeout; backoff set it to ≤ 1 s (base 1 s, cap 1 s), so
  // only the thrown record is receivable again within seconds, on its second attempt.
  const again = await env.drain(source, 2, 3);
  assert.deepEqual(again.map((m) => m.Body), [throwingBody]);
  assert.equal(again[0]!.Attributes?.ApproximateReceiveCount, '2');
});

test('ordered delivery stops at the first failure and reports it and every later record failed, in order', { skip }, async () => {
  const source = await env.createQueue('ship.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '120' });
  const dlq = await env.createQueue('ship-dlq.fifo', { FifoQueue: 'true' });
  for (let i = 1; i <= 4; i++) {
    await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageGroupId: 'order-1', MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${i}`, quantity: i })) }));
  }
  const records = await receiveBatch(env.sqs, source, 4);
  assert.equal(records.length, 4);
  const handled: string[] = [];
  const handler = wrapHandler<{ orderId: string }>(
    async (data) => {
      handled.push(data.orderId);
      if (data.orderId === 'o-2') throw new Error('carrier API timed out');
    },
    { config: subscriptionConfig({ delivery: 'ordered' }), validators, dlqUrl: dlq, output: () => undefined },
  );
  const response = await handler({ Records: records }, ctx());
  assert.deepEqual(handled, ['o-1', 'o-2']);
  assert.deepEqual(response, { batchItemFailures: records.slice(1).map((r) => ({ itemIdentifier: r.messageId })) });
});

test('ordered delivery: a dead-lettered record does not hold back the rest of the batch', { skip }, async () => {
  const source = await env.createQueue('pay.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const dlq = await env.createQueue('pay-dlq.fifo', { FifoQueue: 'true' });
  const quantities = [1, 0, 3];
  for (const quantity of quantities) {
    await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageGroupId: 'order-2', MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: `q-${quantity}`, quantity })) }));
  }
  const records = await receiveBatch(env.sqs, source, 3);
  const handled: number[] = [];
  const handler = wrapHandler<{ quantity: number }>(async (data) => void handled.push(data.quantity), {
    config: subscriptionConfig({ delivery: 'ordered' }),
    validators,
    dlqUrl: dlq,
    output: () => undefined,
  });
  const response = await handler({ Records: records }, ctx());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(handled, [1, 3]);
  const dead = await env.drain(dlq, 1);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.Attributes?.MessageGroupId, 'order-2');
});

test('a NonRetryableError thrown by the handler sends the record to the DLQ with its reason and reports it processed', { skip }, async () => {
  const source = await env.createQueue('nr');
  const dlq = await env.createQueue('nr-dlq');
  const body = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'gone', quantity: 1 }));
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  const records = await receiveBatch(env.sqs, source, 1);
  const handler = wrapHandler(
    async () => {
      throw new NonRetryableError('order gone was cancelled before reservation');
    },
    { config: subscriptionConfig(), validators, dlqUrl: dlq, output: () => undefined },
  );
  assert.deepEqual(await handler({ Records: records }, ctx()), { batchItemFailures: [] });
  const [dead] = await env.drain(dlq, 1);
  assert.equal(dead?.Body, body);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.reason), 'non-retryable');
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.errorMessage), 'order gone was cancelled before reservation');
});

test('when the DLQ send fails the record is retried instead of reported processed', { skip }, async () => {
  const source = await env.createQueue('nodlq');
  const body = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'x', quantity: -1 }));
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  const records = await receiveBatch(env.sqs, source, 1);
  const missingDlq = `${env.moto.endpoint}/123456789012/no-such-queue`;
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, dlqUrl: missingDlq, output: () => undefined });
  assert.deepEqual(await handler({ Records: records }, ctx()), { batchItemFailures: [{ itemIdentifier: records[0]!.messageId }] });
});

test('direct delivery: a failing event throws so Lambda retries it', { skip }, async () => {
  const handler = wrapHandler(
    async () => {
      throw new Error('database is down');
    },
    { config: subscriptionConfig({ delivery: 'direct' }), validators, output: () => undefined },
  );
  await assert.rejects(handler(eventBridgeEvent('order.placed', { orderId: 'd', quantity: 1 }), ctx()), /database is down/);
});

test('direct delivery: an event that can never succeed goes to the DLQ with its reason instead of throwing', { skip }, async () => {
  const dlq = await env.createQueue('direct-dlq');
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig({ delivery: 'direct' }), validators, dlqUrl: dlq, output: () => undefined });
  const event = eventBridgeEvent('order.placed', { orderId: 'd', quantity: 'three' });
  assert.equal(await handler(event, ctx()), null);
  const [dead] = await env.drain(dlq, 1);
  assert.deepEqual(JSON.parse(dead!.Body!), event);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.reason), 'invalid');
  assert.match(attr(dead!, DLQ_ATTRIBUTES.errorMessage)!, /\/quantity must be integer/);
});

test('timeout guard, records one after another: the running handler is aborted through ctx.signal, and it and every later record are reported failed, untouched', { skip }, async () => {
  const source = await env.createQueue('slow', { VisibilityTimeout: '120' });
  for (let i = 1; i <= 3; i++) await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: `s-${i}`, quantity: i })) }));
  const records = await receiveBatch(env.sqs, source, 3);
  const started: string[] = [];
  let sawAbort = false;
  const handler = wrapHandler<{ orderId: string }>(
    async (data, hctx) => {
      started.push(data.orderId);
      // A handler that honours the signal; it would otherwise run past the Lambda deadline.
      await new Promise<void>((resolve) => hctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = hctx.signal.aborted;
    },
    { config: subscriptionConfig(), validators, recordConcurrency: 1, timeoutMarginMs: 1000, output: () => undefined },
  );
  // 3 s before the deadline and a 1 s margin: the guard fires while the first record runs.
  const response = await handler({ Records: records }, ctx(3000));
  assert.deepEqual(started, [records[0] && JSON.parse(records[0].body).detail.data.orderId]);
  assert.equal(sawAbort, true);
  assert.deepEqual(response, { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
});

test('timeout guard: a batch that starts inside the margin runs no handler and reports every record failed', { skip }, async () => {
  const source = await env.createQueue('late');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'l', quantity: 1 })) }));
  const records = await receiveBatch(env.sqs, source, 1);
  let called = false;
  const handler = wrapHandler(async () => void (called = true), { config: subscriptionConfig(), validators, timeoutMarginMs: 5000, output: () => undefined });
  const response = await handler({ Records: records }, ctx(3000));
  assert.equal(called, false);
  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: records[0]!.messageId }] });
});

test('without a table to count attempts in, a record failing on its maxAttempts-th receive goes to the DLQ with reason retries-exhausted and its error', { skip }, async () => {
  const source = await env.createQueue('last', { VisibilityTimeout: '120' });
  const dlq = await env.createQueue('last-dlq');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'last', quantity: 1 })) }));
  const [received] = await receiveBatch(env.sqs, source, 1);
  // Delivered for the 5th time with maxAttempts 5 (the real receive count is 1; SQS cannot be
  // made to count five receives without five visibility timeouts).
  const record = { ...received!, attributes: { ...received!.attributes, ApproximateReceiveCount: '5' } };
  const lines: string[] = [];
  const handler = wrapHandler(
    async () => {
      throw new Error('payment provider rejected the call');
    },
    { config: subscriptionConfig({ retry: { maxAttempts: 5, backoffBaseSeconds: 60, backoffMaxSeconds: 600 } }), validators, dlqUrl: dlq, output: (l) => void lines.push(l) },
  );
  assert.deepEqual(await handler({ Records: [record] }, ctx()), { batchItemFailures: [] }, 'dead-lettered records count as processed');
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reason === 'retries-exhausted');
  assert.equal(logged?.level, 'error');
  assert.deepEqual([logged?.attempts, logged?.maxAttempts, (logged?.error as { message: string }).message], [5, 5, 'payment provider rejected the call']);
  const [dead] = await env.drain(dlq, 1);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.reason), 'retries-exhausted');
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.errorMessage), 'payment provider rejected the call');
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.attempt), '5');
});

test('at info, one JSON log line per record that did not succeed, one batch summary line and one EMF metrics line per invocation', { skip }, async () => {
  const source = await env.createQueue('logs');
  const dlq = await env.createQueue('logs-dlq');
  for (const quantity of [1, 0]) await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: `l-${quantity}`, quantity })) }));
  const records = await receiveBatch(env.sqs, source, 2);
  const lines: string[] = [];
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, dlqUrl: dlq, output: (l) => void lines.push(l) });
  await handler({ Records: records }, ctx());
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const outcomes = parsed.filter((l) => 'outcome' in l);
  assert.deepEqual(outcomes.map((l) => l.outcome), ['dead-letter']);
  for (const l of outcomes) for (const key of ['topic', 'eventId', 'correlationId', 'attempt', 'durationMs', 'subscription']) assert.ok(key in l, `log line has ${key}`);
  const summary = parsed.filter((l) => l.message === 'batch processed');
  assert.equal(summary.length, 1);
  assert.deepEqual([summary[0]!.level, summary[0]!.records, summary[0]!.processed, summary[0]!.deadLettered], ['info', 2, 1, 1]);
  const emf = parsed.filter((l) => '_aws' in l);
  assert.equal(emf.length, 1);
  assert.deepEqual([emf[0]!.Processed, emf[0]!.DeadLettered, emf[0]!.Invalid], [1, 1, 1]);
});

test('at debug, a record that succeeded has its own log line too', { skip }, async () => {
  const source = await env.createQueue('logs-debug');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'd-1', quantity: 1 })) }));
  const records = await receiveBatch(env.sqs, source, 1);
  const lines: string[] = [];
  const handler = wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, logLevel: 'debug', output: (l) => void lines.push(l) });
  await handler({ Records: records }, ctx());
  const outcomes = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => 'outcome' in l);
  assert.deepEqual(outcomes.map((l) => [l.level, l.message, l.outcome]), [['debug', 'record processed', 'succeeded']]);
  for (const key of ['topic', 'eventId', 'correlationId', 'attempt', 'durationMs', 'subscription']) assert.ok(key in outcomes[0]!, `log line has ${key}`);
});

test('ordered delivery: when a dead-lettered record cannot be sent to the DLQ, the batch stops there so later records keep their order', { skip }, async () => {
  const source = await env.createQueue('ord-nodlq.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  for (const quantity of [1, 0, 3]) {
    await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageGroupId: 'order-3', MessageBody: JSON.stringify(eventBridgeEvent('order.placed', { orderId: `n-${quantity}`, quantity })) }));
  }
  const records = await receiveBatch(env.sqs, source, 3);
  const handled: number[] = [];
  const handler = wrapHandler<{ quantity: number }>(async (data) => void handled.push(data.quantity), {
    config: subscriptionConfig({ delivery: 'ordered' }),
    validators,
    dlqUrl: `${env.moto.endpoint}/123456789012/missing-dlq.fifo`,
    output: () => undefined,
  });
  const response = await handler({ Records: records }, ctx());
  assert.deepEqual(handled, [1]);
  assert.deepEqual(response, { batchItemFailures: records.slice(1).map((r) => ({ itemIdentifier: r.messageId })) });
});
