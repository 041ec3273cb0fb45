import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Delivery, EventFlow, EventFlowDeclarationError } from '../../lib/constructs/index.ts';
import { cdkJsonContext, cleanup, newFlow, projectWith, ROOT, tempDir } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';
const PERSON = JSON.stringify({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } });

/** Asserts `fn` throws an EventFlowDeclarationError whose message contains every fragment. */
function assertDeclarationError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EventFlowDeclarationError, `expected an EventFlowDeclarationError, got ${String(err)}`);
    for (const f of fragments) assert.ok(err.message.includes(f), `message ${JSON.stringify(err.message)} contains ${JSON.stringify(f)}`);
    return true;
  });
}

function flowIn(rootDir: string): EventFlow {
  const app = new App({ outdir: tempDir(), context: cdkJsonContext() });
  return new EventFlow(new Stack(app, 'S'), 'Flow', { rootDir });
}

test('a topic without a schema file fails, naming the file to create', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addTopic('order.cancelled', { source: 'shop.orders' }),
    'TestStack/Orders', "topic 'order.cancelled' has no schema", 'create schemas/order.cancelled/v1.json');
});

test('a schema file that is not JSON fails, naming the file', () => {
  const flow = flowIn(projectWith({ 'schemas/person.created/v1.json': '{ "type": "object", ' }));
  assertDeclarationError(() => flow.addTopic('person.created', { source: 'hr' }), 'S/Flow', 'person.created/v1.json', 'not valid JSON', 'fix the syntax');
});

test('a schema that is not a valid JSON Schema fails, naming the file', () => {
  const flow = flowIn(projectWith({ 'schemas/person.created/v1.json': JSON.stringify({ type: 'strnig' }) }));
  assertDeclarationError(() => flow.addTopic('person.created', { source: 'hr' }), 'S/Flow', 'person.created/v1.json', 'not a valid JSON Schema', 'fix the schema');
});

test('a missing schemas folder fails, saying how to lay it out', () => {
  const flow = flowIn(projectWith({ 'README.md': 'no schemas here' }));
  assertDeclarationError(() => flow.addTopic('person.created', { source: 'hr' }), 'S/Flow', 'does not exist', 'one folder per topic');
});

test('subscribing to a topic of another flow fails as an unknown topic', () => {
  const f = newFlow();
  const other = new EventFlow(f.stack, 'Billing', { rootDir: ROOT });
  const foreign = other.addTopic('order.placed', { source: 'shop.billing' });
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: foreign, handler }),
    'TestStack/Orders/ReserveInventory', "topic 'order.placed' is not a topic of this flow", 'addTopic');
});

test('looking up an undeclared topic fails, listing the declared ones', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.topic('order.shipped'), 'TestStack/Orders', "unknown topic 'order.shipped'", 'order.placed, inventory.reserved, shipment.scheduled', "addTopic('order.shipped'");
});

test('publishing a topic of another flow fails', () => {
  const f = newFlow();
  const other = new EventFlow(f.stack, 'Billing', { rootDir: ROOT });
  const foreign = other.addTopic('inventory.reserved', { source: 'shop.billing' });
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, publishes: [foreign] }),
    'TestStack/Orders/ReserveInventory', "publishes[0] 'inventory.reserved' is not a topic of this flow");
});

test('a filter on a field the schema does not have fails, listing the known fields', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, filter: { colour: ['red'] } }),
    'TestStack/Orders/ReserveInventory', "filter field 'colour'", 'currency, customerId, items, orderId, total', 'filter on a field');
});

test('a filter on an unknown nested field fails with its dotted path', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, filter: { items: { colour: ['red'] } } }),
    "filter field 'items.colour'");
});

test('a filter value that is neither a matcher list nor a nested object fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, filter: { currency: 'EUR' } }),
    "filter field 'currency'", 'array of matchers');
});

test('a duplicate subscription name fails', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.inventoryReserved, handler }),
    'TestStack/Orders', "subscription name 'reserve-inventory' is used twice", 'its own name');
});

test('a subscription name that is not kebab-case fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('ReserveInventory', { topic: f.orderPlaced, handler }), "'ReserveInventory'", "'reserve-inventory'");
});

test('a visibility timeout below 6 × the function timeout fails, giving the minimum', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', {
    topic: f.orderPlaced, handler, timeout: Duration.seconds(30), delivery: Delivery.queue({ visibilityTimeout: Duration.seconds(60) }),
  }), 'TestStack/Orders/ReserveInventory', 'visibilityTimeout 1 minute', 'below 6 × the function timeout', 'at least 180 seconds');
});

test('a batching window on an ordered subscription fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced, handler: 'functions/customer-history.ts',
    delivery: Delivery.ordered({ messageGroupPath: 'customerId', maxBatchingWindow: Duration.seconds(5) }),
  }), 'TestStack/Orders/CustomerHistory', 'maxBatchingWindow 5 seconds', 'FIFO', 'remove maxBatchingWindow');
});

test('an ordered batch above 10 fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'customerId', batchSize: 20 }),
  }), 'batchSize 20', '1–10');
});

test('a message group path that is not a field of the schema fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'customer' }),
  }), 'TestStack/Orders/CustomerHistory', "messageGroupPath 'customer' is not a field of order.placed");
});

test('a message group path naming an array field fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'items' }),
  }), "messageGroupPath 'items' is of type array", 'string or number field');
});

test('a dedupe key that is not a field of the schema fails', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, dedupeKey: 'order_id' }),
    "dedupeKey 'order_id' is not a field of order.placed");
});

test('dedupe options with dedupe turned off fail', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, dedupe: false, dedupeKey: 'orderId' }),
    'dedupe is false');
});

test('direct delivery with more than 3 attempts fails (Lambda retries an async invoke at most twice)', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('notify-customer', {
    topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct(), maxAttempts: 5,
  }), 'TestStack/Orders/NotifyCustomer', 'maxAttempts 5', '1–3', 'Delivery.queue()');
});

test('a missing handler file fails, naming the path', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler: 'functions/nope.ts' }),
    "handler file 'functions/nope.ts' does not exist", 'default-exported async function');
});

test('a handler without a default export fails synth, naming the subscription', () => {
  const root = projectWith({ 'schemas/person.created/v1.json': PERSON, 'handlers/greet.ts': 'export async function greet(): Promise<void> {}\n' });
  const flow = flowIn(root);
  const topic = flow.addTopic('person.created', { source: 'hr' });
  flow.addSubscription('greet', { topic, handler: 'handlers/greet.ts' });
  assertDeclarationError(() => Stack.of(flow).node.scope && (Stack.of(flow).node.root as App).synth(), 'S/Flow/Greet', 'bundling failed', 'default');
});

test('a bundling error names its subscription whatever the working directory (esbuild prints paths relative to it)', () => {
  const root = projectWith({ 'schemas/person.created/v1.json': PERSON, 'handlers/greet.ts': 'export async function greet(): Promise<void> {}\n', 'handlers/wave.ts': 'export default async function (): Promise<void> {}\n' });
  const flow = flowIn(root);
  const topic = flow.addTopic('person.created', { source: 'hr' });
  flow.addSubscription('wave', { topic, handler: 'handlers/wave.ts' });
  flow.addSubscription('greet', { topic, handler: 'handlers/greet.ts' });
  // From inside the project esbuild says "handlers/greet.ts", which no absolute path contains.
  const cwd = process.cwd();
  process.chdir(root);
  try {
    assertDeclarationError(() => (Stack.of(flow).node.root as App).synth(), 'S/Flow/Greet', 'bundling failed', 'handlers/greet.ts');
  } finally {
    process.chdir(cwd);
  }
});

test('reserved BUSLINE_ environment names fail', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, environment: { BUSLINE_BUS_NAME: 'x' } }),
    "'BUSLINE_BUS_NAME'", 'reserved');
});

test('accepting a schema version the topic does not have fails, listing its versions', () => {
  const f = newFlow();
  assertDeclarationError(() => f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, acceptsVersions: [1, 4] }),
    'TestStack/Orders/ReserveInventory', 'acceptsVersions [1, 4]', 'no schema for (4)', 'choose among its versions 1');
});
