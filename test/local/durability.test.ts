/**
 * Durability: an engine process killed with SIGKILL while events flow loses nothing it
 * acknowledged. The publisher and consumer are ordinary SDK v3 clients over the wire; the
 * engine runs in a child process (test/local/support/engine-child.ts).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawnEngine, type EngineProcess } from './support/spawn-engine.ts';
import { TEST_CREDENTIALS } from './support/engine-fixture.ts';

const ORDERS = 1000;
const KILL_AFTER_ACKED = 400;

interface Clients {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

function clientsFor(engine: EngineProcess): Clients {
  const config = { endpoint: engine.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config), queueUrl: `${engine.endpoint}/000000000000/work` };
}

const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

test('an engine killed with SIGKILL mid-flow loses no acknowledged event: after restart every order is delivered', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'busline-durability-'));
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
  const config = {
    stateDir,
    buses: ['orders'],
    queues: [{ name: 'work', attributes: { VisibilityTimeout: '30' } }],
    rules: [{ bus: 'orders', name: 'all-orders', pattern: '{"detail-type":["OrderPlaced"]}', queue: 'work' }],
  };
  let engine = await spawnEngine(config);
  cleanup.push(() => engine.stop());
  let clients = clientsFor(engine);

  const acknowledged = new Map<string, string>(); // EventId → order id
  const unsent = Array.from({ length: ORDERS }, (_, i) => `order-${i}`);
  const consumedOrders = new Set<string>();
  const consumedEventIds = new Set<string>();
  let deliveries = 0;

  const publishSome = async (c: Clients, stopAt: number): Promise<void> => {
    // 5 callers in flight, 10 orders a call; an order goes back to `unsent` unless acknowledged.
    const caller = async (): Promise<void> => {
      while (unsent.length > 0 && acknowledged.size < stopAt) {
        const batch = unsent.splice(0, 10);
        try {
          const result = await c.events.send(new PutEventsCommand({
            Entries: batch.map((id) => ({ EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ metadata: { id }, data: { orderId: id } }) })),
          }));
          result.Entries!.forEach((entry, i) => {
            if (entry.EventId) acknowledged.set(entry.EventId, batch[i]!);
            else unsent.push(batch[i]!);
          });
        } catch {
          unsent.push(...batch); // not acknowledged: the publisher must send it again
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 5 }, caller));
  };

  const consume = async (c: Clients, until: () => boolean): Promise<void> => {
    while (!until()) {
      let messages;
      try {
        messages = (await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: c.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
      } catch {
        return; // the engine is gone
      }
      for (const m of messages) {
        const event = JSON.parse(m.Body!) as { id: string; detail: { data: { orderId: string } } };
        consumedOrders.add(event.detail.data.orderId);
        consumedEventIds.add(event.id);
        deliveries++;
      }
      if (messages.length > 0) {
        try {
          await c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: c.queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        } catch {
          return;
        }
      }
    }
  };

  // Phase 1: publish and consume until KILL_AFTER_ACKED are acknowledged, then SIGKILL while
  // publish calls and receives are still in flight.
  const consuming = consume(clients, () => false);
  await publishSome(clients, KILL_AFTER_ACKED);
  const stillPublishing = publishSome(clients, ORDERS);
  await engine.kill();
  await Promise.all([stillPublishing, consuming]);
  const ackedBeforeCrash = acknowledged.size;
  assert.ok(ackedBeforeCrash >= KILL_AFTER_ACKED && ackedBeforeCrash < ORDERS, `killed mid-flow (acknowledged ${ackedBeforeCrash})`);

  // Phase 2: restart on the same state folder; the publisher resends what was not acknowledged.
  engine = await spawnEngine(config);
  clients.events.destroy();
  clients.sqs.destroy();
  clients = clientsFor(engine);
  await publishSome(clients, Infinity);
  assert.equal(unsent.length, 0);
  assert.equal(acknowledged.size, ORDERS);
  const giveUpAt = Date.now() + 60_000; // a lost event would otherwise keep the loop waiting
  await consume(clients, () => Date.now() > giveUpAt || [...acknowledged.keys()].every((id) => consumedEventIds.has(id)));
  clients.events.destroy();
  clients.sqs.destroy();

  const lost = [...acknowledged.keys()].filter((id) => !consumedEventIds.has(id));
  assert.deepEqual(lost, [], 'every acknowledged event was delivered');
  assert.equal(consumedOrders.size, ORDERS);
  // Redeliveries after the crash are allowed (at-least-once; handlers dedupe), losses are not.
  assert.ok(deliveries >= ORDERS);

  // And every acknowledged event is in the archive.
  const archived = new Set((await readFile(join(stateDir, 'archive', 'orders.jsonl'), 'utf8')).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { event: { id: string } }).event.id));
  assert.deepEqual([...acknowledged.keys()].filter((id) => !archived.has(id)), []);
});
