/**
 * One publisher process of the routing benchmark (bench/engine-routing.bench.ts): an AWS SDK
 * v3 EventBridge client sending OrderPlaced events, 10 per PutEvents call, with a number of
 * calls in flight. Protocol on stdin/stdout, one JSON line each way:
 *   → {"count", "offset", "concurrency"}   ← {"cpuMicros"} when done (or {"error"})
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

export function orderEntry(i: number): PutEventsRequestEntry {
  return {
    EventBusName: 'bench',
    Source: 'bench.orders',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify({ metadata: { id: `order-${i}`, correlationId: `c-${i}` }, data: { orderId: `o-${i}`, customerId: `cust-${i % 50}`, total: 10 + (i % 90), items: [{ sku: 'A-1', qty: 1 }] } }),
  };
}

async function publish(offset: number, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + 10);
      const entries: PutEventsRequestEntry[] = [];
      for (let i = first; i < next; i++) entries.push(orderEntry(offset + i));
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      if (result.FailedEntryCount) throw new Error(`PutEvents failed entries: ${JSON.stringify(result.Entries)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const job = JSON.parse(line) as { count: number; offset: number; concurrency: number };
  const before = process.cpuUsage();
  publish(job.offset, job.count, job.concurrency).then(
    () => {
      const used = process.cpuUsage(before);
      process.stdout.write(JSON.stringify({ cpuMicros: used.user + used.system }) + '\n');
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
