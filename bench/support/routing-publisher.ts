/**
 * One publisher process of the routing benchmarks (bench/support/publishers.ts): an AWS SDK
 * v3 EventBridge client sending OrderPlaced events, 10 per PutEvents call, with a number of
 * calls in flight. Protocol on stdin/stdout, one JSON line each way:
 *   → {"count", "offset", "concurrency", "deadline"?}   ← {"cpuMicros", "sent"} when done (or {"error"})
 * With a deadline (ms since the epoch) no call starts after it: `sent` says how far it got.
 * It prints {"ready":true} first, after a warm-up call, so start-up is not measured.
 */
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const endpoint = process.argv[2]!;
const events = new EventBridgeClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }),
});

function orderEntry(i: number): PutEventsRequestEntry {
  return {
    EventBusName: 'bench',
    Source: 'bench.orders',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify({ metadata: { id: `order-${i}`, correlationId: `c-${i}` }, data: { orderId: `o-${i}`, customerId: `cust-${i % 50}`, total: 10 + (i % 90), items: [{ sku: 'A-1', qty: 1 }] } }),
  };
}

/** Sends up to `count` events; returns how many were sent before the deadline stopped it. */
async function publish(offset: number, count: number, concurrency: number, deadline = Infinity): Promise<number> {
  let next = 0;
  let sent = 0;
  const caller = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      const first = next;
      next = Math.min(count, next + 10);
      const entries: PutEventsRequestEntry[] = [];
      for (let i = first; i < next; i++) entries.push(orderEntry(offset + i));
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      if (result.FailedEntryCount) throw new Error(`PutEvents failed entries: ${JSON.stringify(result.Entries)}`);
      sent += entries.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return sent;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const job = JSON.parse(line) as { count: number; offset: number; concurrency: number; deadline?: number };
  const before = process.cpuUsage();
  publish(job.offset, job.count, job.concurrency, job.deadline).then(
    (sent) => {
      const used = process.cpuUsage(before);
      process.stdout.write(JSON.stringify({ cpuMicros: used.user + used.system, sent }) + '\n');
    },
    (error: Error) => process.stdout.write(JSON.stringify({ error: error.message }) + '\n'),
  );
});
lines.on('close', () => {
  events.destroy();
  process.exit(0);
});
// Warm-up call (connection, JIT of the SDK) before reporting ready; the bench purges the queue after.
await publish(-10, 10, 1);
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
