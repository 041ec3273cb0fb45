/**
 * Durability: 1,000 orders are published, the engine is killed with SIGKILL while they flow,
 * restarted on the same state folder, and every order is then processed exactly once —
 * one Reservations item with runs = 1, one Shipments and one Notifications item each.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  clients, flowNames, order, publishOrders, referenceAssembly, referenceFlowPresent, startEngineProcess, tempStateDir,
  waitFor, type EngineProcess, type FlowClients,
} from './support/reference-flow.ts';

const skip = referenceFlowPresent() ? false : 'the reference flow (bin/app.ts, lib/orders-stack.ts) is not in this checkout';
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

test('1,000 orders survive kill -9 of the engine mid-flow: after restart each is processed exactly once', { skip, timeout: 600_000 }, async () => {
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
  const notifiedAtKill = (await (async () => {
    engine = await startEngineProcess(assembly, stateDir, ['--quiet']);
    c = clients(engine.endpoint);
    return (await scanAll(c, names.table('Notifications'))).length;
  })());
  assert.ok(notifiedAtKill < ORDERS, `the kill happened mid-flow (${notifiedAtKill} of ${ORDERS} notified)`);

  await waitFor(`all ${ORDERS} notifications after the restart`, async () => {
    const n = (await scanAll(c, names.table('Notifications'))).length;
    return n >= ORDERS ? n : undefined;
  }, 480_000);
  const reservations = await scanAll(c, names.table('Reservations'));
  const shipments = await scanAll(c, names.table('Shipments'));
  const notifications = await scanAll(c, names.table('Notifications'));
  const ranTwice = reservations.filter((r) => r.runs?.N !== '1').map((r) => `${r.orderId?.S}: runs=${r.runs?.N}`);
  assert.deepEqual(ranTwice, [], 'every order reserved exactly once');
  assert.equal(reservations.length, ORDERS);
  assert.equal(shipments.length, ORDERS);
  assert.equal(notifications.length, ORDERS);
});
