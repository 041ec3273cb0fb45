/**
 * Routing alone: PutEvents over the wire → rule → SQS queue, no handlers. The local engine
 * runs in its own process (as `busline dev` does) and the same AWS SDK v3 EventBridge client
 * drives it and, as the reference, moto_server. Both deliver inside the PutEvents call, so
 * the time until the last PutEvents answers is the routing time; the queue's message count
 * is checked afterwards so nothing is counted that was not routed.
 *
 * Engine: RUNS runs of EVENTS events, 10 entries per call, CONCURRENCY calls in flight.
 * moto: a few small runs (it spends ~0.15 s per matched delivery).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { EventBridgeClient, PutEventsCommand, CreateEventBusCommand, PutRuleCommand, PutTargetsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './section.ts';
import { spawnEngine } from '../test/local/support/spawn-engine.ts';
import { startMotoServer, motoServerMissing, MOTO_CREDENTIALS, MOTO_ACCOUNT } from '../test/support/moto-server.ts';

const RUNS = Number(process.env['BENCH_ROUTING_RUNS'] ?? 5);
const EVENTS = Number(process.env['BENCH_ROUTING_EVENTS'] ?? 40_000);
const CONCURRENCY = Number(process.env['BENCH_ROUTING_CONCURRENCY'] ?? 48);
/** Publisher processes driving the engine (each with its own SDK client), so the client side can use more than one core. */
const PUBLISHERS = Number(process.env['BENCH_ROUTING_PUBLISHERS'] ?? 2);
const PUBLISHER_SCRIPT = fileURLToPath(new URL('./support/routing-publisher.ts', import.meta.url));
const MOTO_RUNS = 3;
const MOTO_EVENTS = 10;
const PATTERN = JSON.stringify({ 'detail-type': ['OrderPlaced'], detail: { data: { total: [{ numeric: ['>', 0] }] } } });

interface Target {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

function clients(endpoint: string): { events: EventBridgeClient; sqs: SQSClient } {
  const requestHandler = new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) });
  const config = { endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, requestHandler };
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

function entry(i: number): PutEventsRequestEntry {
  return {
    EventBusName: 'bench',
    Source: 'bench.orders',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify({ metadata: { id: `order-${i}`, correlationId: `c-${i}` }, data: { orderId: `o-${i}`, customerId: `cust-${i % 50}`, total: 10 + (i % 90), items: [{ sku: 'A-1', qty: 1 }] } }),
  };
}

/** Send `count` events, 10 per call, `concurrency` calls at a time; returns events/s. */
async function route(target: Target, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + 10);
      const entries: PutEventsRequestEntry[] = [];
      for (let i = first; i < next; i++) entries.push(entry(i));
      const result = await target.events.send(new PutEventsCommand({ Entries: entries }));
      if (result.FailedEntryCount) throw new Error(`PutEvents failed entries: ${JSON.stringify(result.Entries)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

async function queued(target: Target): Promise<number> {
  const { Attributes } = await target.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0);
}

/** CPU time (user + system, all threads) a process has used, in µs; undefined off Linux. */
async function cpuMicros(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

interface Measured {
  readonly rates: number[];
  /** CPU of this process (the SDK client) per event, µs. */
  readonly clientCpuPerEvent: number[];
  /** Engine CPU per routed event (µs), when the engine's process can be observed. */
  readonly cpuPerEvent: number[];
}

async function measure(target: Target, runs: number, count: number, concurrency: number, pid?: number): Promise<Measured> {
  const rates: number[] = [];
  const cpuPerEvent: number[] = [];
  const clientCpuPerEvent: number[] = [];
  for (let r = 0; r < runs; r++) {
    await target.sqs.send(new PurgeQueueCommand({ QueueUrl: target.queueUrl }));
    const before = await cpuMicros(pid);
    const clientBefore = process.cpuUsage();
    rates.push(await route(target, count, concurrency));
    const client = process.cpuUsage(clientBefore);
    clientCpuPerEvent.push((client.user + client.system) / count);
    const after = await cpuMicros(pid);
    if (before !== undefined && after !== undefined) cpuPerEvent.push((after - before) / count);
    const n = await queued(target);
    if (n !== count) throw new Error(`expected ${count} routed messages on the queue, found ${n}`);
  }
  return { rates, cpuPerEvent, clientCpuPerEvent };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function row(name: string, measured: Measured, count: number): string[] {
  const { rates, cpuPerEvent, clientCpuPerEvent } = measured;
  const cpu = cpuPerEvent.length > 0 ? median(cpuPerEvent) : undefined;
  return [
    name,
    String(rates.length),
    String(count),
    fmt(median(rates)),
    `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`,
    cpu === undefined ? 'n/a' : cpu.toFixed(0),
    cpu === undefined ? 'n/a' : fmt(1e6 / cpu),
    median(clientCpuPerEvent).toFixed(0),
  ];
}

interface Publisher {
  run(job: { offset: number; count: number; concurrency: number }): Promise<number>;
  close(): Promise<void>;
}

async function startPublisher(endpoint: string): Promise<Publisher> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', PUBLISHER_SCRIPT, endpoint], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replies = createInterface({ input: child.stdout! });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  replies.on('line', (line) => waiting.shift()?.(JSON.parse(line) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
  const ready = await next();
  if (!ready['ready']) throw new Error(`publisher did not start: ${JSON.stringify(ready)}`);
  return {
    async run(job) {
      const reply = next();
      child.stdin!.write(JSON.stringify(job) + '\n');
      const answer = await reply;
      if (typeof answer['error'] === 'string') throw new Error(answer['error']);
      return answer['cpuMicros'] as number;
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

/** Route `count` events split over the publisher processes; returns events/s and their CPU µs/event. */
async function routeWithPublishers(publishers: readonly Publisher[], count: number, concurrency: number, offset: number): Promise<{ rate: number; clientCpu: number }> {
  const share = Math.ceil(count / publishers.length / 10) * 10;
  const started = process.hrtime.bigint();
  const cpu = await Promise.all(
    publishers.map((p, i) => {
      const first = i * share;
      const n = Math.max(0, Math.min(share, count - first));
      return p.run({ offset: offset + first, count: n, concurrency: Math.max(1, Math.round(concurrency / publishers.length)) });
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rate: count / seconds, clientCpu: cpu.reduce((a, b) => a + b, 0) / count };
}

async function engineRates(): Promise<Measured> {
  const stateDir = await mkdtemp(join(tmpdir(), 'busline-bench-'));
  const engine = await spawnEngine({
    stateDir,
    buses: ['bench'],
    queues: [{ name: 'routed' }],
    rules: [{ bus: 'bench', name: 'orders', pattern: PATTERN, queue: 'routed' }],
  });
  const publishers: Publisher[] = [];
  try {
    const { events, sqs } = clients(engine.endpoint);
    const target = { events, sqs, queueUrl: `${engine.endpoint}/000000000000/routed` };
    for (let i = 0; i < PUBLISHERS; i++) publishers.push(await startPublisher(engine.endpoint));
    await routeWithPublishers(publishers, 4_000, CONCURRENCY, -4_000); // warm-up (JIT, connections)
    const rates: number[] = [];
    const cpuPerEvent: number[] = [];
    const clientCpuPerEvent: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: target.queueUrl }));
      const before = await cpuMicros(engine.child.pid);
      const { rate, clientCpu } = await routeWithPublishers(publishers, EVENTS, CONCURRENCY, r * EVENTS);
      const after = await cpuMicros(engine.child.pid);
      rates.push(rate);
      clientCpuPerEvent.push(clientCpu);
      if (before !== undefined && after !== undefined) cpuPerEvent.push((after - before) / EVENTS);
      const n = await queued(target);
      if (n !== EVENTS) throw new Error(`expected ${EVENTS} routed messages on the queue, found ${n}`);
    }
    events.destroy();
    sqs.destroy();
    return { rates, cpuPerEvent, clientCpuPerEvent };
  } finally {
    for (const p of publishers) await p.close();
    await engine.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function motoRates(): Promise<Measured> {
  const moto = await startMotoServer();
  try {
    const { events, sqs } = clients(moto.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'routed' }));
    await events.send(new CreateEventBusCommand({ Name: 'bench' }));
    await events.send(new PutRuleCommand({ Name: 'orders', EventBusName: 'bench', EventPattern: PATTERN }));
    await events.send(new PutTargetsCommand({ Rule: 'orders', EventBusName: 'bench', Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:us-east-1:${MOTO_ACCOUNT}:routed` }] }));
    const measured = await measure({ events, sqs, queueUrl: QueueUrl! }, MOTO_RUNS, MOTO_EVENTS, 1);
    events.destroy();
    sqs.destroy();
    return measured;
  } finally {
    await moto.stop();
  }
}

export async function run(): Promise<BenchSection> {
  const engine = await engineRates();
  const missing = motoServerMissing();
  const moto = missing ? undefined : await motoRates();
  const rows = [row('busline local engine', engine, EVENTS)];
  if (moto) rows.push(row('moto_server 5.2.1', moto, MOTO_EVENTS));
  const notes = [
    `PutEvents over HTTP with the AWS SDK v3 EventBridge client (10 entries per call) → rule with a numeric content filter → SQS queue; no handlers. Engine: ${PUBLISHERS} publisher processes, ${CONCURRENCY} calls in flight in all; moto: 1 call at a time.`,
    'The engine runs in its own process and acknowledges each PutEvents only after the events, their archive copies and the enqueued messages are fsynced (group commit).',
    moto ? `Ratio engine / moto_server (medians, same run): ${(median(engine.rates) / median(moto.rates)).toFixed(0)}×.` : `moto_server not measured: ${missing}.`,
    'events/s is wall clock, from the first PutEvents to the last answer, with the engine and the publisher processes sharing the machine (2 cores, other work running): the SDK client\'s own CPU per event is in the last column and bounds the figure. "engine µs/event" is the engine process\'s own CPU time (all threads, incl. fsync and journal) per routed event; "engine capacity" = 1e6 / that, what one core of the engine can route.',
    'Target on these 2-core machines: >= 20,000 events/s.',
  ];
  return { title: 'Local engine: routing (PutEvents → rule → queue)', columns: ['endpoint', 'runs', 'events/run', 'events/s (median)', 'spread (min–max)', 'engine µs/event', 'engine capacity (events/s/core)', 'SDK client µs/event'], rows, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await run();
  console.log(section.title);
  console.log(section.columns.join(' | '));
  for (const r of section.rows) console.log(r.join(' | '));
  for (const n of section.notes ?? []) console.log(`- ${n}`);
}
