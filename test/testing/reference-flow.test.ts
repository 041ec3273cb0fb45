/**
 * The reference flow's behaviour (bin/app.ts: orders → inventory → shipping → notification, plus
 * the per-customer history), tested as a team tests its own flow: through busline/testing, in
 * this process, on virtual time. A FAIL- sku makes reserve-inventory throw (functions/).
 * Each test uses its own order ids and reads only its own events. What the flow looks like from
 * outside (the aws CLI, `busline events`, replay, redrive) is test/local/e2e-reference-flow.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { testFlow, assertDeadLettered, assertDeduplicated, type FlowTest } from 'busline/testing';
import { createApp } from '../../bin/app.ts';
import type { OrderPlacedV1, TopicMap } from '../../schemas/types.ts';

let flow: FlowTest<TopicMap>;

before(async () => {
  flow = await testFlow<TopicMap>(createApp());
}, { timeout: 300_000 });
after(async () => {
  await flow?.close();
});

const run = Date.now().toString(36);
const order = (orderId: string, over: Partial<OrderPlacedV1> = {}): OrderPlacedV1 =>
  ({ orderId, customerId: `cust-${orderId}`, items: [{ sku: 'SKU-1', qty: 1 }], total: 10, currency: 'EUR', ...over });
const itemOf = async (table: string, key: string, value: string): Promise<Record<string, unknown> | undefined> =>
  (await flow.items(table)).find((item) => item[key] === value);

test('a valid order is reserved once, shipped and notified', async () => {
  const id = `ok-${run}`;
  await flow.publish('order.placed', order(id));
  await flow.settle();
  assert.equal((await itemOf('Reservations', 'orderId', id))?.runs, 1);
  assert.ok(await itemOf('Shipments', 'orderId', id), 'Shipments item');
  assert.ok(await itemOf('Notifications', 'orderId', id), 'Notifications item');
});

test('an order reserve-inventory keeps failing is tried 3 times with the reference backoff, then dead-lettered with the last error', async () => {
  const id = `fail-${run}`;
  const placed = await flow.publish('order.placed', order(id, { items: [{ sku: 'FAIL-widget', qty: 1 }] }));
  await flow.settle();
  const letter = assertDeadLettered(flow, 'reserve-inventory', { data: { orderId: id }, attempts: 3 });
  assert.match(letter.reason, /no stock for sku FAIL-widget/);
  assert.equal((await itemOf('Reservations', 'orderId', id))?.runs, 3, 'the handler ran once per attempt');
  // Backoff.exponential(): retry n waits a full-jitter delay of at most 2 s × 2^(n−1), in whole
  // seconds of the virtual clock (the queue wakes its pollers 1 ms after a message is visible).
  const [delivery] = flow.deliveries('reserve-inventory').filter((d) => d.id === placed.id);
  const [first, second, third] = delivery!.attemptsAt;
  const waited = [Math.floor((second! - first!) / 1000), Math.floor((third! - second!) / 1000)];
  assert.ok(waited[0]! <= 2 && waited[1]! <= 4, `waited ${waited.join(' s, then ')} s`);
  assert.equal(flow.published('inventory.reserved').filter((e) => e.causationId === placed.id).length, 0);
});

test('an order delivered twice is reserved once (runs = 1); the second copy is skipped as a duplicate', async () => {
  const id = `dup-${run}`;
  const placed = await flow.publish('order.placed', order(id), { deliverTwice: true });
  await flow.settle();
  assertDeduplicated(placed, 'reserve-inventory');
  assert.equal((await itemOf('Reservations', 'orderId', id))?.runs, 1);
});

test("five orders of one customer published in sequence are in its CustomerHistory list in publish order", async () => {
  const customerId = `cust-${run}`;
  const ids = Array.from({ length: 5 }, (_, i) => `hist-${run}-${i}`);
  for (const id of ids) await flow.publish('order.placed', order(id, { customerId }));
  await flow.settle();
  assert.deepEqual((await itemOf('CustomerHistory', 'customerId', customerId))?.orders, ids);
});

test('a schema-invalid order is dead-lettered by reserve-inventory with the validation error, and the handler never runs', async () => {
  // A producer outside the flow, with no schema check of its own (flow.publish would refuse it).
  const id = `invalid-${run}`;
  const busName = flow.subscriptions.find((s) => s.name === 'reserve-inventory')!.busName;
  const events = new EventBridgeClient({ endpoint: flow.endpoint, region: flow.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    await events.send(new PutEventsCommand({ Entries: [{
      EventBusName: busName, Source: 'shop.orders', DetailType: 'order.placed',
      Detail: JSON.stringify({ metadata: { id: `meta-${id}` }, data: { orderId: id, customerId: 'c', items: [], total: -1, currency: 'euro' } }),
    }] }));
  } finally {
    events.destroy();
  }
  await flow.settle();
  const letter = assertDeadLettered(flow, 'reserve-inventory', { data: { orderId: id }, attempts: 1 });
  assert.match(letter.reason, /schema|valid/i);
  assert.equal(await itemOf('Reservations', 'orderId', id), undefined, 'the handler never ran');
});

test('a transient DynamoDB failure of the reservation commit is retried: the order is still reserved exactly once and notified', async () => {
  // Six InternalServerErrors in a row, more than the SDK retries on its own: the handler's commit
  // fails, and the runtime retries the record after its backoff.
  const id = `transient-${run}`;
  flow.faults.failDynamoDb(6, { table: 'Reservations' });
  const placed = await flow.publish('order.placed', order(id));
  await flow.settle();
  const [delivery] = flow.deliveries('reserve-inventory').filter((d) => d.id === placed.id);
  assert.equal(delivery?.outcome, 'succeeded');
  assert.ok((delivery?.attempts ?? 0) >= 2, `attempts: ${delivery?.attempts}`);
  assert.match(delivery?.lastError ?? '', /InternalServerError|TransactWriteItems/);
  assert.equal((await itemOf('Reservations', 'orderId', id))?.runs, 1);
  assert.ok(await itemOf('Notifications', 'orderId', id), 'Notifications item');
});

test('a notification whose invocation fails once is retried by Lambda a minute later, on the virtual clock', async () => {
  // "If the function returns an error, by default Lambda attempts to run it two more times, with
  // a one-minute wait between the first two attempts" (AWS Lambda Developer Guide, "How Lambda
  // handles errors and retries with asynchronous invocation",
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
  // notify-customer is delivered directly (rule → Lambda, asynchronous).
  const id = `async-retry-${run}`;
  flow.faults.failNext('notify-customer', 1);
  await flow.publish('order.placed', order(id));
  await flow.settle();
  const [delivery] = flow.deliveries('notify-customer').filter((d) => (d.data as { orderId?: string }).orderId === id);
  assert.equal(delivery?.outcome, 'succeeded');
  assert.equal(delivery?.attempts, 2);
  assert.equal(delivery!.attemptsAt[1]! - delivery!.attemptsAt[0]!, 60_000);
  assert.ok(await itemOf('Notifications', 'orderId', id), 'Notifications item');
});
