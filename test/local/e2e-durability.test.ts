/**
 * Durability: 1,000 orders are published, the engine is killed with SIGKILL while they flow,
 * restarted on the same state folder, and then every order is reserved, shipped and notified
 * exactly once.
 *
 * Exactly once holds across the kill because the reference handlers declare their writes with
 * ctx.write: the runtime commits them in one TransactWriteItems with the dedupe record's
 * COMPLETED mark (the engine's DynamoDB applies a transaction as one LevelDB batch), and events
 * published from a handler carry ids derived from the dedupe key, so a re-run after a kill
 * between publish and commit republishes the same ids and downstream dedupe drops them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  clients, flowNames, order, publishOrders, referenceAssembly, referenceFlowPresent, startEngineProcess, tempStateDir,
  waitFor, type EngineProcess, type FlowClients,
} from './support/reference-flow.ts';
import { skipUnlessPresent } from '../support/prerequisites.ts';

const skip = skipUnlessPresent(referenceFlowPresent() ? false : 'the reference flow (bin/app.ts, bin/orders-stack.ts) is not in this checkout');
const ORDERS = 1000;
const stateDir = tempStateDir();
let engine: EngineProcess | undefined;

after(async () => {
  await engine?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function scanAll(c: FlowClients, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await c.ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

interface Outcome {
  readonly notifiedAtKill: number;
  readonly reservations: Record<string, AttributeValue>[];
  readonly histories: Record<string, AttributeValue>[];
  readonly shipments: Record<string, AttributeValue>[];
  readonly notifications: Record<string, AttributeValue>[];
}
let outcome: Outcome;

before(async () => {
  if (skip) return;
  const assembly = await referenceAssembly();
  const names = flowNames(assembly);
  engine = await startEngineProcess(assembly, stateDir, ['--quiet']);
  let c = clients(engine.endpoint);
  const ids = Array.from({ length: ORDERS }, (_, i) => `durable-${i}`);
  await publishOrders(c, names.busName, ids.map((id) => order(id)), ids.map((id) => `meta-${id}`));

  // Let part of the flow happen, then kill the engine in the middle of it.
  await waitFor('some notifications before the kill', async () => {
    const n = (await scanAll(c, names.table('Notifications'))).length;
    return n >= 50 ? n : undefined;
  }, 300_000);
  await engine.kill9();
  engine = await startEngineProcess(assembly, stateDir, ['--quiet']);
  c = clients(engine.endpoint);
  const notifiedAtKill = (await scanAll(c, names.table('Notifications'))).length;

  await waitFor(`all ${ORDERS} notifications after the restart`, async () => {
    const n = (await scanAll(c, names.table('Notifications'))).length;
    return n >= ORDERS ? n : undefined;
  }, 480_000);
  // customer-history is its own (FIFO) branch of the flow: wait for it too. So are the
  // Reservations and Shipments items: a handler publishes just before committing its write, so
  // a kill between the two leaves the notification ahead of the shipment; the redelivered
  // record writes it once the killed attempt's dedupe lock has expired.
  for (const table of ['CustomerHistory', 'Reservations', 'Shipments']) {
    await waitFor(`all ${ORDERS} ${table} items after the restart`, async () => {
      const n = (await scanAll(c, names.table(table))).length;
      return n >= ORDERS ? n : undefined;
    }, 480_000);
  }
  outcome = {
    notifiedAtKill,
    reservations: await scanAll(c, names.table('Reservations')),
    histories: await scanAll(c, names.table('CustomerHistory')),
    shipments: await scanAll(c, names.table('Shipments')),
    notifications: await scanAll(c, names.table('Notifications')),
  };
}, { timeout: 900_000 });

test('the kill happened while orders were flowing', { skip }, () => {
  assert.ok(outcome.notifiedAtKill < ORDERS, `${outcome.notifiedAtKill} of ${ORDERS} notified at the kill`);
});

test('nothing is lost: after the restart each of 1,000 orders has one Reservations, Shipments and Notifications item', { skip }, () => {
  assert.equal(outcome.reservations.length, ORDERS);
  assert.equal(outcome.shipments.length, ORDERS);
  assert.equal(outcome.notifications.length, ORDERS);
});

test('every order ran exactly once: each Reservations item has runs = 1', { skip }, () => {
  const twice = outcome.reservations.filter((r) => r.runs?.N !== '1').map((r) => `${r.orderId?.S}: runs=${r.runs?.N}`);
  console.log(`# durability: ${twice.length} of ${ORDERS} orders ran more than once (${twice.join(', ') || 'none'})`);
  assert.deepEqual(twice, []);
});

test("each customer's history lists its order exactly once", { skip }, () => {
  const counts = new Map<string, number>();
  for (const history of outcome.histories) for (const entry of history.orders?.L ?? []) counts.set(entry.S!, (counts.get(entry.S!) ?? 0) + 1);
  assert.equal(counts.size, ORDERS);
  assert.deepEqual([...counts].filter(([, n]) => n !== 1), []);
});

test('one shipment and one notification per order, each order once', { skip }, () => {
  for (const items of [outcome.shipments, outcome.notifications]) {
    assert.equal(new Set(items.map((i) => i.orderId?.S)).size, ORDERS);
  }
});
