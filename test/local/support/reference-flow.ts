/**
 * End-to-end support: the reference flow synthesized once per source state (the synth cache of
 * `busline dev`), an engine started as a separate `busline dev` process (so a
 * test can kill -9 it), and AWS SDK clients pointed at it. Tests talk to the engine only over
 * the wire (SDK or `aws` CLI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, GetQueueUrlCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { cachedSynth } from '../../../lib/cli/cached-synth.ts';
import { loadFlowContext, type FlowContext } from '../../../lib/cli/flow-context.ts';

export const PROJECT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(PROJECT_DIR, 'bin', 'busline.mjs');
const CACHE = join(PROJECT_DIR, 'node_modules', '.cache', 'busline-e2e');

export function referenceFlowPresent(): boolean {
  return existsSync(join(PROJECT_DIR, 'bin', 'orders-stack.ts')) && existsSync(join(PROJECT_DIR, 'cdk.json'));
}

/** The reference flow's cloud assembly, synthesized on first use (a minute on a busy machine) and again when what it is made of changed. */
export async function referenceAssembly(): Promise<string> {
  return (await cachedSynth({ projectDir: PROJECT_DIR, cacheDir: CACHE })).dir;
}

export interface EngineProcess {
  readonly endpoint: string;
  readonly stateDir: string;
  readonly child: ChildProcess;
  /** Output of the process so far (for failure messages). */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
}

/** Starts `busline dev` on an assembly, or (assemblyDir undefined) on the project, synthesizing it as `npm start` does. */
export async function startEngineProcess(assemblyDir: string | undefined, stateDir: string, extraArgs: string[] = [], engineNodeArgs: readonly string[] = []): Promise<EngineProcess> {
  // engineNodeArgs and BUSLINE_ENGINE_NODE_ARGS: extra node flags for the engine process (e.g. --cpu-prof when profiling a bench).
  const nodeArgs = [...engineNodeArgs, ...(process.env.BUSLINE_ENGINE_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'dev', ...(assemblyDir ? ['--assembly', assemblyDir] : []), '--state', stateDir, '--port', '0', ...extraArgs], {
    cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine did not start within 240 s:\n${out}`)), 240_000);
    const check = (): void => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the engine exited (${code}) before serving:\n${out}`)); });
  });
  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return { endpoint, stateDir, child, output: () => out, stop: () => waitExit('SIGTERM'), kill9: () => waitExit('SIGKILL') };
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'busline-e2e-'));
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface FlowClients {
  readonly ddb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
}

export function clients(endpoint: string): FlowClients {
  const config = { endpoint, region: 'us-east-1', credentials, maxAttempts: 5 };
  return { ddb: new DynamoDBClient(config), sqs: new SQSClient(config), events: new EventBridgeClient(config) };
}

/** Physical names of the reference flow's tables, bus and subscriptions. */
export function flowNames(assemblyDir: string): FlowContext & { table(idPart: string): string; busName: string } {
  const context = loadFlowContext(assemblyDir);
  return {
    ...context,
    busName: context.flows[0]!.busName,
    table(idPart: string) {
      const t = context.model.tables.find((x) => x.logicalId.startsWith(idPart));
      if (!t) throw new Error(`no table ${idPart} in the reference flow`);
      return t.name;
    },
  };
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: { sku: string; qty: number }[];
  readonly total: number;
  readonly currency: string;
}

export function order(orderId: string, over: Partial<Order> = {}): Order {
  return { orderId, customerId: `cust-${orderId}`, items: [{ sku: 'SKU-1', qty: 1 }], total: 10, currency: 'EUR', ...over };
}

/** PutEvents of order.placed events in the Busline envelope (10 per call), over the wire. */
export async function publishOrders(c: FlowClients, busName: string, orders: readonly (Order | Record<string, unknown>)[], ids?: readonly string[]): Promise<string[]> {
  const metadataIds: string[] = [];
  for (let i = 0; i < orders.length; i += 10) {
    const chunk = orders.slice(i, i + 10);
    const entries = chunk.map((data, j) => {
      const id = ids?.[i + j] ?? `${String((data as Order).orderId)}-${Math.random().toString(36).slice(2, 8)}`;
      metadataIds.push(id);
      return {
        EventBusName: busName, Source: 'shop.orders', DetailType: 'order.placed',
        Detail: JSON.stringify({ metadata: { id, correlationId: id, schemaVersion: 1, publishedAt: new Date().toISOString() }, data }),
      };
    });
    const out = await c.events.send(new PutEventsCommand({ Entries: entries }));
    if (out.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
  }
  return metadataIds;
}

export async function getItem(c: FlowClients, table: string, key: Record<string, AttributeValue>): Promise<Record<string, AttributeValue> | undefined> {
  return (await c.ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

export async function queueDepth(c: FlowClients, queueName: string): Promise<number> {
  const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl!;
  const a = (await c.sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Polls `check` until it returns a value other than undefined, or fails after timeoutMs with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function awsCliAvailable(): boolean {
  return spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs the `aws` CLI against the engine; returns parsed JSON output. */
export function awsCli(endpoint: string, args: string[]): unknown {
  const r = spawnSync('aws', ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' }, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

/** Runs `busline <args>` against a state folder; returns exit code and output. */
export function busline(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT_DIR, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
