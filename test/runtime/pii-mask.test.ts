/**
 * PII mask mode, runtime side: the fields a topic's schema marks `"x-busline-pii"` reach the
 * runtime as `topics[topic].piiPaths` (lib/schema/pii.ts); the record's values at those paths
 * are masked in every line the record's logger writes, whatever key holds them, and in the DLQ
 * reason attributes, while the handler receives the data unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineHandler, wrapHandler } from '../../lib/runtime/index.ts';
import { ValidationSchemaError } from '../../lib/runtime/errors.ts';
import type { RecordResult } from '../../lib/runtime/invocation.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { DLQ_ATTRIBUTES, deadLetterEntry } from '../../lib/runtime/middleware/dlq-with-reason.ts';
import { maskDeep } from '../../lib/runtime/pii-mask.ts';
import { piiMaskOf } from '../../lib/runtime/pii-values.ts';
import type { RecordContext } from '../../lib/runtime/record-pipeline.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, TOPICS, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const SECRET = 'pii-7f3a-unique-order';

interface TopicMap { 'order.placed': { orderId: string; quantity: number; sku?: string } }

/** A subscription whose topic marks orderId (and, with `quantity`, quantity) as PII. */
function handlerLogging(log: (data: TopicMap['order.placed'], logger: { info: (m: string, f?: Record<string, unknown>) => void; error: (m: string, f?: Record<string, unknown>) => void }) => void, piiPaths: string[][] = [['orderId']]) {
  const lines: string[] = [];
  const received: unknown[] = [];
  const handler = wrapHandler(defineHandler<TopicMap, 'order.placed'>(async (data, ctx) => {
    received.push(structuredClone(data));
    log(data, ctx.logger);
  }), {
    config: subscriptionConfig({ topics: { ...TOPICS, 'order.placed': { ...TOPICS['order.placed'], piiPaths } } }),
    validators,
    logLevel: 'debug',
    output: (line) => void lines.push(line),
  });
  return { handler, lines, received };
}

const orderBatch = (data: Record<string, unknown>) => ({ Records: [sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', data)))] });

test('a PII value logged under a key of its own is masked in the line; the other fields stay', async () => {
  const h = handlerLogging((data, logger) => logger.info('reserving', { customerRef: data.orderId, sku: data.sku }));
  await h.handler(orderBatch({ orderId: SECRET, quantity: 2, sku: 'sku-1' }), lambdaContext());
  const line = h.lines.find((l) => l.includes('"reserving"'))!;
  assert.equal(JSON.parse(line).customerRef, '***');
  assert.equal(JSON.parse(line).sku, 'sku-1');
});

test('a PII value inside the message text, a nested object and an error message is masked in every line', async () => {
  const h = handlerLogging((data, logger) => {
    logger.info(`order ${data.orderId} received`);
    logger.info('context', { request: { body: { id: data.orderId, note: `for ${data.orderId}` } } });
    logger.error('downstream failed', { error: new Error(`lookup of ${data.orderId} failed`) });
  });
  await h.handler(orderBatch({ orderId: SECRET, quantity: 2 }), lambdaContext());
  assert.ok(h.lines.length >= 3);
  for (const line of h.lines) assert.ok(!line.includes(SECRET), line);
  assert.ok(h.lines.some((l) => JSON.parse(l).message === 'order *** received'));
  assert.ok(h.lines.some((l) => JSON.parse(l).error?.message === 'lookup of *** failed'));
});

test('the handler receives the PII field unchanged', async () => {
  const h = handlerLogging((data, logger) => logger.info('seen', { id: data.orderId }));
  await h.handler(orderBatch({ orderId: SECRET, quantity: 2 }), lambdaContext());
  assert.deepEqual(h.received, [{ orderId: SECRET, quantity: 2 }]);
});

test('a numeric PII value logged as a number is masked too', async () => {
  const h = handlerLogging((data, logger) => logger.info('count', { units: data.quantity, text: `${data.quantity} units` }), [['quantity']]);
  await h.handler(orderBatch({ orderId: 'o-1', quantity: 987654 }), lambdaContext());
  const line = JSON.parse(h.lines.find((l) => l.includes('"count"'))!);
  assert.equal(line.units, '***');
  assert.equal(line.text, '*** units');
});

test('without PII fields in the schema, lines are written as before (nothing masked)', async () => {
  const h = handlerLogging((data, logger) => logger.info('reserving', { customerRef: data.orderId }), []);
  await h.handler(orderBatch({ orderId: SECRET, quantity: 2 }), lambdaContext());
  assert.equal(JSON.parse(h.lines.find((l) => l.includes('"reserving"'))!).customerRef, SECRET);
});

test("the mask belongs to the record's logger and its children: the batch's other lines are not masked with it", () => {
  const lines: string[] = [];
  const root = createLogger('info', (l) => void lines.push(l), { subscription: 's' });
  const mask = piiMaskOf({ email: 'a@example.com' }, [['email']]);
  root.child({ eventId: 'e1' }, mask).info('hello a@example.com');
  root.info('hello a@example.com');
  assert.deepEqual(lines.map((l) => JSON.parse(l).message), ['hello ***', 'hello a@example.com']);
});

test("the DLQ reason attributes never hold the record's PII values; the event itself is kept intact", () => {
  const body = JSON.stringify({ detail: { data: { orderId: SECRET } } });
  const result: RecordResult = {
    inbound: { kind: 'sqs', messageId: 'm-1', receiptHandle: 'rh', body, receiveCount: 1, firstReceivedAt: 0, eventSourceArn: 'arn:aws:sqs:us-east-1:1:q' },
    outcome: { kind: 'dead-letter', error: new ValidationSchemaError(`orderId ${SECRET} is not known`, []), reason: 'invalid' },
    record: { topic: 'order.placed', eventId: 'evt-1', piiMask: piiMaskOf({ orderId: SECRET }, [['orderId']]) } as RecordContext,
    timings: {},
  };
  const entry = deadLetterEntry(result, 0, 'reserve-inventory', false, new Date());
  for (const [name, attr] of Object.entries(entry.MessageAttributes!)) assert.ok(!attr.StringValue?.includes(SECRET), name);
  assert.equal(entry.MessageAttributes![DLQ_ATTRIBUTES.errorMessage]!.StringValue, 'orderId *** is not known');
  assert.equal(entry.MessageBody, body);
});

test('values at array paths and whole PII objects are all collected', () => {
  const mask = piiMaskOf({ lines: [{ name: 'Ann' }, { name: 'Bob' }], address: { street: 'Main 1', zip: 12345 } }, [['lines', '*', 'name'], ['address']]);
  assert.deepEqual([...mask!.texts].sort(), ['12345', 'Ann', 'Bob', 'Main 1']);
  assert.deepEqual([...mask!.numbers], [12345]);
});

test('maskDeep masks every string and PII number of a record through its objects and arrays, and keeps other values', () => {
  const mask = piiMaskOf({ email: 'ada@example.com', pin: 4711 }, [['email'], ['pin']])!;
  const at = new Date(0);
  const masked = maskDeep({ logs: ['to ada@example.com'], item: { key: '{"email":{"S":"ada@example.com"}}', pin: 4711, count: 2 }, at, ok: true }, mask);
  assert.deepEqual(masked, { logs: ['to ***'], item: { key: '{"email":{"S":"***"}}', pin: '***', count: 2 }, at, ok: true });
  assert.equal(masked.at, at);
});
