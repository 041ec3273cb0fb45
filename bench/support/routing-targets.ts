/**
 * The endpoints the routing benches drive, each in a process of its own and each with the
 * check that proves it did the work counted: the local engine with N rules on the bus (one
 * matches every event and sends it to the queue `routed`, the others match none and target
 * `unmatched`), moto_server with the same rules, and the parse-and-fsync floor.
 */
import { Agent } from 'node:http';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { spawnEngine } from '../../test/local/support/spawn-engine.ts';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, startMotoServer } from '../../test/support/moto-server.ts';
import { spawnFloor } from './spawn-floor.ts';

/** The rule every routed event matches: its detail-type and a numeric filter on its data. */
export const ORDER_PATTERN = JSON.stringify({ 'detail-type': ['OrderPlaced'], detail: { data: { total: [{ numeric: ['>', 0] }] } } });

/** The account the local engine serves. */
const ENGINE_ACCOUNT = '000000000000';

export interface RuleSpec {
  readonly name: string;
  readonly pattern: string;
  readonly queue: 'routed' | 'unmatched';
}

/**
 * `count` rules: the matching one, then rules that match no event sent: half select another
 * detail-type, half the same detail-type with a customer no event has (so the pattern index
 * files them under a value the events never carry, or tests them and rejects them).
 */
export function routingRules(count: number): RuleSpec[] {
  const rules: RuleSpec[] = [{ name: 'orders', pattern: ORDER_PATTERN, queue: 'routed' }];
  for (let i = 1; i < count; i++) {
    const pattern = i % 2 === 0 ? { 'detail-type': [`Other${i}`] } : { 'detail-type': ['OrderPlaced'], detail: { data: { customerId: [`nobody-${i}`] } } };
    rules.push({ name: `unmatched-${i}`, pattern: JSON.stringify(pattern), queue: 'unmatched' });
  }
  return rules;
}

export interface RoutingTarget {
  readonly label: string;
  readonly endpoint: string;
  /** The process doing the routing (for its CPU and RSS). */
  readonly pid: number | undefined;
  /** Empties what the previous run left (queues), so the check counts this run only. */
  reset(): Promise<void>;
  /** Throws unless exactly `sent` events were routed (or written) since reset(). */
  check(sent: number): Promise<void>;
  /** The target's state folder, if it has one (for its size). */
  readonly stateDir?: string;
  /** The engine process's heap figures (an engine target started with `memory: true`). */
  readonly memoryUsage?: (fullGc: boolean) => Promise<NodeJS.MemoryUsage>;
  /** `afterStopping`: run on the state folder (a target that has one) once the target stopped, before the folder is removed. */
  stop(afterStopping?: (stateDir: string) => Promise<void>): Promise<void>;
}

/**
 * Puts the rules and their queue targets over the wire (the engine's argv cannot carry a
 * thousand patterns, and moto takes them no other way).
 */
async function declareRules(endpoint: string, account: string, ruleCount: number): Promise<void> {
  const events = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  try {
    for (const rule of routingRules(ruleCount)) {
      await events.send(new PutRuleCommand({ Name: rule.name, EventBusName: 'bench', EventPattern: rule.pattern }));
      await events.send(new PutTargetsCommand({ Rule: rule.name, EventBusName: 'bench', Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:us-east-1:${account}:${rule.queue}` }] }));
    }
  } finally {
    events.destroy();
  }
}

function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }) });
}

/** reset/check over the two queues of a target that routes to SQS. */
function queueChecks(sqs: SQSClient, urls: { routed: string; unmatched: string }, label: string): Pick<RoutingTarget, 'reset' | 'check'> {
  const count = async (url: string): Promise<number> => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0);
  };
  return {
    async reset() {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: urls.routed }));
      await sqs.send(new PurgeQueueCommand({ QueueUrl: urls.unmatched }));
    },
    async check(sent) {
      const [routed, unmatched] = [await count(urls.routed), await count(urls.unmatched)];
      if (routed !== sent || unmatched !== 0) throw new Error(`${label}: ${sent} events sent, ${routed} on the routed queue and ${unmatched} on the unmatched one (expected ${sent} and 0)`);
    },
  };
}

export interface EngineTargetOptions {
  /** Write a V8 CPU profile of the engine process here when it stops (node --cpu-prof). */
  readonly cpuProfileDir?: string;
  /**
   * Run the engine of another checkout of this repository (an earlier commit) instead of this one's.
   * @default - this checkout's engine
   */
  readonly checkout?: string;
  /**
   * Let the bench ask the engine for its heap figures (`RoutingTarget.memoryUsage`).
   * @default false
   */
  readonly memory?: boolean;
}

export async function startEngineTarget(label: string, ruleCount: number, options: EngineTargetOptions = {}): Promise<RoutingTarget> {
  const stateDir = await mkdtemp(join(tmpdir(), 'busline-bench-'));
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const engine = await spawnEngine({
    stateDir,
    buses: ['bench'],
    queues: [{ name: 'routed' }, { name: 'unmatched' }],
  }, undefined, { nodeArgs, memory: options.memory ?? false, ...(options.checkout ? { checkout: options.checkout } : {}) });
  try {
    await declareRules(engine.endpoint, ENGINE_ACCOUNT, ruleCount);
  } catch (error) {
    await engine.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  const sqs = sqsClient(engine.endpoint);
  return {
    label,
    endpoint: engine.endpoint,
    pid: engine.child.pid,
    stateDir,
    ...(options.memory ? { memoryUsage: engine.memoryUsage } : {}),
    ...queueChecks(sqs, { routed: `${engine.endpoint}/${ENGINE_ACCOUNT}/routed`, unmatched: `${engine.endpoint}/${ENGINE_ACCOUNT}/unmatched` }, label),
    async stop(afterStopping) {
      sqs.destroy();
      await engine.stop();
      try {
        await afterStopping?.(stateDir);
      } finally {
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}

export async function startMotoTarget(label: string, ruleCount: number): Promise<RoutingTarget> {
  const moto = await startMotoServer();
  const events = new EventBridgeClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  const sqs = sqsClient(moto.endpoint);
  try {
    const routed = (await sqs.send(new CreateQueueCommand({ QueueName: 'routed' }))).QueueUrl!;
    const unmatched = (await sqs.send(new CreateQueueCommand({ QueueName: 'unmatched' }))).QueueUrl!;
    await events.send(new CreateEventBusCommand({ Name: 'bench' }));
    events.destroy();
    await declareRules(moto.endpoint, MOTO_ACCOUNT, ruleCount);
    return {
      label,
      endpoint: moto.endpoint,
      pid: undefined,
      ...queueChecks(sqs, { routed, unmatched }, label),
      async stop() {
        sqs.destroy();
        await moto.stop();
      },
    };
  } catch (error) {
    events.destroy();
    sqs.destroy();
    await moto.stop();
    throw error;
  }
}

/** Newlines in `file` from byte `from` on: the floor writes one line per event. */
async function linesFrom(file: string, from: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    let lines = 0;
    for await (const chunk of handle.createReadStream({ start: from, autoClose: false }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    return lines;
  } finally {
    await handle.close();
  }
}

export async function startFloorTarget(label: string): Promise<RoutingTarget> {
  const stateDir = await mkdtemp(join(tmpdir(), 'busline-bench-floor-'));
  const file = join(stateDir, 'events.jsonl');
  const floor = await spawnFloor(file);
  let mark = 0;
  return {
    label,
    endpoint: floor.endpoint,
    pid: floor.child.pid,
    stateDir,
    async reset() {
      mark = (await stat(file)).size;
    },
    async check(sent) {
      const written = await linesFrom(file, mark);
      if (written !== sent) throw new Error(`${label}: ${sent} events sent, ${written} written to ${file}`);
    },
    async stop(afterStopping) {
      await floor.stop();
      try {
        await afterStopping?.(stateDir);
      } finally {
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}
