/**
 * Handler middlewares: middy middlewares a handler takes with defineHandler(fn).use(...) run
 * around each invocation (lib/runtime/middleware/handler-middlewares.ts), with
 * @middy/input-output-logger as the ecosystem middleware. Batches come from real queues
 * (moto_server) where a queue's behaviour is the point: the DLQ, and a failed invocation's
 * batch returning to the queue.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Request } from '@middy/core';
import inputOutputLogger from '@middy/input-output-logger';
import eventNormalizer from '@middy/event-normalizer';
import {
  DLQ_ATTRIBUTES,
  InMemoryDedupeStore,
  NonRetryableError,
  RuntimeOptionsError,
  defineHandler,
  wrapHandler,
  type HandlerContext,
} from '../../lib/runtime/index.ts';
import { MiddlewareEarlyResponseError } from '../../lib/runtime/errors.ts';
import { motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { queueArn, receiveBatch } from '../support/sqs-batch.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';

const skip = motoServerMissing();
const validators = await loadValidators(SCHEMAS_DIR);

/** The topics of the fixture flow that these handlers consume. */
interface TopicMap {
  'order.placed': { orderId: string; quantity: number };
  'inventory.reserved': { orderId: string };
}

let env: MotoEnv;
before(async () => {
  if (!skip) env = await startMotoEnv();
});
after(async () => {
  await env?.close();
});

/** What input-output-logger logged, and the logger to give it. */
function ioLog() {
  const lines: Array<{ event?: unknown; response?: unknown }> = [];
  return { lines, middleware: inputOutputLogger({ logger: (message: { event?: unknown; response?: unknown }) => void lines.push(message) }) };
}

/** Busline's JSON log and EMF lines, parsed. */
function output() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, sink: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

const orderRecord = (orderId: string, metadata: Record<string, unknown> = {}) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId, quantity: 1 }, metadata)));

async function sendOrders(queueUrl: string, orderIds: readonly string[]): Promise<string[]> {
  const bodies = orderIds.map((orderId) => JSON.stringify(eventBridgeEvent('order.placed', { orderId, quantity: 1 })));
  for (const body of bodies) await env.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  return bodies;
}

test('with input-output-logger around the handler, the partial batch response lists exactly the record that failed, and the logger logged that response', { skip }, async () => {
  const queue = await env.createQueue('iol-partial', { VisibilityTimeout: '120' });
  await sendOrders(queue, ['ok-1', 'bad', 'ok-2']);
  const io = ioLog();
  const handled: string[] = [];
  const userHandler = defineHandler<TopicMap, 'order.placed'>(async (order) => {
    if (order.orderId === 'bad') throw new Error('the payment service is down');
    handled.push(order.orderId);
  }).use(io.middleware);
  const handler = wrapHandler(userHandler, { config: subscriptionConfig(), validators, output: () => undefined });

  const records = await receiveBatch(env.sqs, queue, 3);
  const bad = records.find((r) => r.body.includes('"bad"'))!;
  const response = await handler({ Records: records }, lambdaContext());

  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: bad.messageId }] });
  assert.deepEqual(handled.sort(), ['ok-1', 'ok-2']);
  assert.deepEqual(io.lines, [{ event: { Records: records } }, { response }]);
});

test('with input-output-logger around the handler, dedupe still suppresses a duplicate: two deliveries of one event run the handler once', async () => {
  const io = ioLog();
  let runs = 0;
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => void runs++).use(io.middleware),
    { config: subscriptionConfig({ dedupe: { ttlSeconds: 3600 } }), validators, dedupe: { store: new InMemoryDedupeStore() }, output: () => undefined },
  );
  // The producer published one event twice (same metadata.id; EventBridge gave each its own id).
  const first = await handler({ Records: [orderRecord('o-dup', { id: 'evt-published-twice' })] }, lambdaContext());
  const second = await handler({ Records: [orderRecord('o-dup', { id: 'evt-published-twice' })] }, lambdaContext());

  assert.equal(runs, 1);
  assert.deepEqual([first, second], [{ batchItemFailures: [] }, { batchItemFailures: [] }]);
  assert.equal(io.lines.filter((l) => 'response' in l).length, 2, 'the logger ran around both invocations');
});

test('with input-output-logger around the handler, a record the handler rejects reaches the DLQ with its reason attribute, and the rest of the batch succeeds', { skip }, async () => {
  const queue = await env.createQueue('iol-reject', { VisibilityTimeout: '120' });
  const dlq = await env.createQueue('iol-reject-dlq');
  const [, rejectedBody] = await sendOrders(queue, ['fine', 'never']);
  const io = ioLog();
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order) => {
      if (order.orderId === 'never') throw new NonRetryableError('this order can never be handled');
    }).use(io.middleware),
    { config: subscriptionConfig(), validators, dlqUrl: dlq, output: () => undefined },
  );

  const response = await handler({ Records: await receiveBatch(env.sqs, queue, 2) }, lambdaContext());

  assert.deepEqual(response, { batchItemFailures: [] });
  const dead = await env.drain(dlq, 1);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.Body, rejectedBody);
  assert.equal(dead[0]!.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue, 'non-retryable');
  assert.equal(dead[0]!.MessageAttributes?.[DLQ_ATTRIBUTES.errorMessage]?.StringValue, 'this order can never be handled');
  assert.deepEqual(io.lines.at(-1), { response: { batchItemFailures: [] } });
});

test('a middleware whose before throws fails the invocation: no record runs, every middleware\'s onError sees the error, and one log line says why', async () => {
  const io = ioLog();
  const seenByOnError: unknown[] = [];
  let runs = 0;
  const out = output();
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => void runs++)
      .use(io.middleware)
      .use({ onError: (request) => void seenByOnError.push(request.error?.message) })
      .use({ before: () => Promise.reject(new Error('SSM is unreachable')) }),
    { config: subscriptionConfig(), validators, output: out.sink },
  );

  await assert.rejects(handler({ Records: [orderRecord('o-1'), orderRecord('o-2')] }, lambdaContext()), /SSM is unreachable/);
  assert.equal(runs, 0);
  assert.deepEqual(seenByOnError, ['SSM is unreachable']);
  assert.deepEqual(io.lines.map((l) => Object.keys(l)), [['event']], 'the logger logged the event; there was no response to log');
  const failed = out.lines.filter((l) => l.level === 'error');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.message, 'the invocation failed before its records ran: Lambda returns the whole batch to the queue');
  assert.equal(failed[0]!.records, 2);
});

test('after a middleware\'s before threw, the whole batch returns to the queue, and the queue\'s redrive moves it to the DLQ', { skip }, async () => {
  const dlq = await env.createQueue('before-threw-dlq');
  const queue = await env.createQueue('before-threw', {
    VisibilityTimeout: '120',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(env.sqs, dlq), maxReceiveCount: '2' }),
  });
  const bodies = await sendOrders(queue, ['a', 'b']);
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => undefined).use({ before: () => Promise.reject(new Error('SSM is unreachable')) }),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );

  // Twice (maxReceiveCount): received, the invocation fails, the messages come back once their
  // (short) visibility timeout ends, as Lambda's event source mapping leaves them.
  for (const receiveCount of ['1', '2']) {
    const records = await receiveBatch(env.sqs, queue, 2, { visibilityTimeout: 1, waitSeconds: 5 });
    assert.deepEqual(records.map((r) => r.attributes.ApproximateReceiveCount), [receiveCount, receiveCount]);
    await assert.rejects(handler({ Records: records }, lambdaContext()), /SSM is unreachable/);
  }
  // The next receive finds them over maxReceiveCount: the queue moves them to its DLQ, intact.
  assert.deepEqual(await receiveBatch(env.sqs, queue, 2, { waitSeconds: 3 }), []);
  const dead = await env.drain(dlq, 2);
  assert.deepEqual(dead.map((m) => m.Body).sort(), [...bodies].sort());
});

test('handler middlewares sit inside the envelope and outside the batch: before runs once ahead of every record, after reads the final response, and the metrics line follows it', async () => {
  const calls: string[] = [];
  const out = output();
  const emfLines = () => out.lines.filter((l) => '_aws' in l).length;
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order) => {
      calls.push(`handler ${order.orderId}`);
      if (order.orderId === 'o-2') throw new Error('retry me');
    }).use({
      before: () => void calls.push('before'),
      after: (request) => void calls.push(`after: ${JSON.stringify(request.response)}, ${emfLines()} metrics lines`),
    }),
    { config: subscriptionConfig(), validators, recordConcurrency: 1, output: out.sink },
  );
  const records = [orderRecord('o-1'), orderRecord('o-2')];

  await handler({ Records: records }, lambdaContext());

  assert.deepEqual(calls, [
    'before',
    'handler o-1',
    'handler o-2',
    `after: {"batchItemFailures":[{"itemIdentifier":"${String(records[1]!.messageId)}"}]}, 0 metrics lines`,
  ]);
  assert.equal(emfLines(), 1);
});

test('a middleware that rewrites the event in place (@middy/event-normalizer parses SQS bodies) does not change what the handler receives', async () => {
  const seen: unknown[] = [];
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order) => void seen.push(order)).use(eventNormalizer()),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );
  const event = { Records: [orderRecord('o-normalized')] };

  const response = await handler(event, lambdaContext());

  assert.equal(typeof event.Records[0]!.body, 'object', 'the normalizer did parse the body in place');
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(seen, [{ orderId: 'o-normalized', quantity: 1 }]);
});

test('values a middleware puts on the Lambda context (as @middy/ssm does with setToContext) reach every handler as ctx.lambdaContext', async () => {
  // What @middy/ssm's before does with setToContext: true: Object.assign(request.context, values).
  const ssmLike = { before: async (request: Request) => void Object.assign(request.context, { apiKey: 'k-from-ssm' }) };
  const seen: unknown[] = [];
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order, ctx) => {
      seen.push([order.orderId, ctx.lambdaContext?.apiKey, ctx.lambdaContext?.functionName]);
    }).use(ssmLike),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );

  await handler({ Records: [orderRecord('o-1'), orderRecord('o-2')] }, lambdaContext());

  assert.deepEqual(seen.sort(), [['o-1', 'k-from-ssm', 'reserve-inventory'], ['o-2', 'k-from-ssm', 'reserve-inventory']]);
});

test('an after that replaces the response does not change the answer: the failed record is still reported, with a warning', async () => {
  const out = output();
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => {
      throw new Error('retry me');
    }).use({ after: (request) => void (request.response = { batchItemFailures: [] }) }),
    { config: subscriptionConfig(), validators, output: out.sink },
  );
  const record = orderRecord('o-1');

  assert.deepEqual(await handler({ Records: [record] }, lambdaContext()), { batchItemFailures: [{ itemIdentifier: record.messageId }] });
  assert.equal(out.lines.filter((l) => l.level === 'warn' && /changed the invocation response/.test(String(l.message))).length, 1);
});

test('an after that empties the response in place does not change the answer either', async () => {
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => {
      throw new Error('retry me');
    }).use({ after: (request) => void request.response?.batchItemFailures.splice(0) }),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );
  const record = orderRecord('o-1');

  assert.deepEqual(await handler({ Records: [record] }, lambdaContext()), { batchItemFailures: [{ itemIdentifier: record.messageId }] });
});

test('an after that throws once the records ran leaves their outcomes: the partial batch response is the answer, the dead-lettered record stays in the DLQ only, and onError sees the error', { skip }, async () => {
  const dlq = await env.createQueue('after-threw-dlq');
  const onErrors: string[] = [];
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order) => {
      if (order.orderId === 'bad') throw new Error('retry me');
      if (order.orderId === 'never') throw new NonRetryableError('never');
    })
      .use({ onError: (request) => void onErrors.push(request.error?.message ?? '?') })
      .use({ after: () => Promise.reject(new Error('the log shipper is down')) }),
    { config: subscriptionConfig(), validators, dlqUrl: dlq, output: () => undefined },
  );
  const bad = orderRecord('bad');

  const response = await handler({ Records: [orderRecord('good'), bad, orderRecord('never')] }, lambdaContext());

  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: bad.messageId }] });
  assert.equal((await env.drain(dlq, 1)).length, 1);
  assert.deepEqual(onErrors, ['the log shipper is down']);
});

test('an onError that answers for the batch (returns a response) cannot make a failed invocation succeed', async () => {
  let runs = 0;
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => void runs++)
      .use({ onError: () => ({ batchItemFailures: [] }) })
      .use({ before: () => Promise.reject(new Error('secrets unavailable')) }),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );

  await assert.rejects(handler({ Records: [orderRecord('o-1')] }, lambdaContext()), /secrets unavailable/);
  assert.equal(runs, 0);
});

test('a before that answers early (returns a value, as middy allows) fails the invocation instead of answering for records that did not run', async () => {
  let runs = 0;
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async () => void runs++).use({ before: () => ({ batchItemFailures: [] }) }),
    { config: subscriptionConfig(), validators, output: () => undefined },
  );

  await assert.rejects(handler({ Records: [orderRecord('o-1')] }, lambdaContext()), MiddlewareEarlyResponseError);
  assert.equal(runs, 0);
});

test('a direct event: the middleware reads a null response, and an event it edits in place still reaches the handler as delivered', async () => {
  const seen: unknown[] = [];
  const responses: unknown[] = [];
  const handler = wrapHandler(
    defineHandler<TopicMap, 'order.placed'>(async (order) => void seen.push(order)).use({
      before: (request) => void ((request.event as { detail: unknown }).detail = 'edited'),
      after: (request) => void responses.push(request.response),
    }),
    { config: subscriptionConfig({ delivery: 'direct' }), validators, output: () => undefined },
  );

  assert.equal(await handler(eventBridgeEvent('order.placed', { orderId: 'o-direct', quantity: 2 }), lambdaContext()), null);
  assert.deepEqual(seen, [{ orderId: 'o-direct', quantity: 2 }]);
  assert.deepEqual(responses, [null]);
});

test('a handler from defineHandler, with or without middlewares, is called directly like the function it was given', async () => {
  const calls: unknown[] = [];
  const fn = async function welcome(order: TopicMap['order.placed'], ctx: HandlerContext): Promise<void> {
    calls.push([order.orderId, ctx.event.id]);
  };
  const defined = defineHandler<TopicMap, 'order.placed'>(fn);
  const quiet = (): void => undefined;
  const ctx: HandlerContext = {
    publish: async () => undefined,
    write: () => undefined,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    event: { id: 'evt-1', topic: 'order.placed', source: 's', time: new Date(0).toISOString(), correlationId: 'c', attempt: 1 },
    signal: new AbortController().signal,
  };

  await defined({ orderId: 'o-1', quantity: 1 }, ctx);
  await defined.use(inputOutputLogger({ logger: quiet }))({ orderId: 'o-2', quantity: 1 }, ctx);

  assert.deepEqual(calls, [['o-1', 'evt-1'], ['o-2', 'evt-1']]);
  assert.equal(defined.name, 'welcome');
});

test('use() refuses what is not a middleware, at compile time and when the module loads', () => {
  const handler = defineHandler<TopicMap, 'order.placed'>(async () => undefined);
  const refused = (pattern: RegExp) => (error: unknown) => error instanceof RuntimeOptionsError && pattern.test(error.message);

  // @ts-expect-error: the factory itself, not the middleware it makes
  assert.throws(() => handler.use(inputOutputLogger), refused(/is a function \(inputOutputLoggerMiddleware\).*use\(inputOutputLogger\(\)\)/));
  // @ts-expect-error: the same, in a list
  assert.throws(() => handler.use([inputOutputLogger(), eventNormalizer]), refused(/middleware 1 is a function/));
  // @ts-expect-error: a hook that is not a function
  assert.throws(() => handler.use({ before: 'log the event' }), refused(/before must be a function, got string/));
  // A middleware written for HTTP handlers (its after expects an HTTP response) has the right
  // shape for the run-time check: the compiler is what refuses it. Checked by tsc, never run.
  const httpOnly = (): void => {
    // @ts-expect-error: its after reads request.response as { statusCode }, not Busline's answer
    handler.use({ after: (request: Request<unknown, { statusCode: number }>) => void request.response?.statusCode });
  };
  void httpOnly;
  // No hook at all is valid TypeScript (middy types every hook optional), so it is refused at load.
  assert.throws(() => handler.use({ name: 'nothing' }), refused(/has none of before, after, onError/));
});

test('use() after wrapHandler took the handler throws, instead of adding a middleware that would never run', () => {
  const handler = defineHandler<TopicMap, 'order.placed'>(async () => undefined);
  wrapHandler(handler, { config: subscriptionConfig(), validators, output: () => undefined });

  assert.throws(() => handler.use(inputOutputLogger()), (error: unknown) => error instanceof RuntimeOptionsError && /wrapHandler has already taken this handler/.test(error.message));
});
