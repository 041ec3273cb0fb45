/**
 * Loads a cloud assembly into a {@link LocalEngine}: declares its buses, rules, targets,
 * archives, queues and tables, then starts its functions (worker threads) and event source
 * mappings. This is what `busline dev` runs.
 */
import { join } from 'node:path';
import { LocalEngine } from './engine.ts';
import type { Clock } from './clock.ts';
import type { ChaosProfile } from './chaos/profile.ts';
import { Chaos } from './chaos/chaos.ts';
import { invocationFaults } from './chaos/function-faults.ts';
import { readCloudAssembly, type CloudAssembly } from './assembly/cloud-assembly.ts';
import { loadAppModel } from './assembly/load-app-model.ts';
import type { LocalAppModel, LocalQueue, LocalRuleTarget } from './assembly/app-model.ts';
import type { QueueAttributes } from './sqs/types.ts';
import type { TargetDefinition } from './eventbridge/types.ts';
import { FunctionRunner } from './lambda/function-runner.ts';
import { AsyncInvoker } from './lambda/async-invoker.ts';
import type { LogLine } from './lambda/lambda-types.ts';
import { SqsEventSource, type MappingOutcome } from './esm/sqs-event-source.ts';

export interface LocalAppOptions {
  /** The cloud assembly folder (cdk.out), or an assembly already read. */
  readonly assembly: string | CloudAssembly;
  readonly stateDir: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Live function log lines. */
  readonly onLog?: (functionName: string, line: LogLine, requestId: string | null) => void;
  /** Concurrent execution environments per function. @default 1 (DEFAULT_WORKERS_PER_FUNCTION) */
  readonly maxWorkersPerFunction?: number;
  /** Base delay of Lambda async retries, doubling per retry. @default 60000 (as on AWS) */
  readonly asyncRetryBaseDelayMs?: number;
  readonly onMappingOutcome?: (mappingLogicalId: string, outcome: MappingOutcome) => void;
  /** The engine's time (see LocalEngineOptions.clock). @default systemClock */
  readonly clock?: Clock;
  /**
   * Faults to inject (see LocalEngineOptions.chaos); handler crashes and timeouts apply to the
   * app's functions. @default no faults
   */
  readonly chaos?: ChaosProfile;
}

export interface LocalApp {
  readonly engine: LocalEngine;
  readonly model: LocalAppModel;
  readonly runner: FunctionRunner;
  readonly mappings: readonly SqsEventSource[];
  stop(): Promise<void>;
}

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const assembly = typeof options.assembly === 'string' ? readCloudAssembly(options.assembly) : options.assembly;
  // First pass: names only (queue URLs are not known until the queues exist in the engine).
  const draft = loadAppModel(assembly, { queueUrl: (account, region, name) => `local-queue://${name}` });
  let model = draft;
  const invoker = new AsyncInvoker(draft.invokeConfigs, { ...(options.asyncRetryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.asyncRetryBaseDelayMs } : {}) });

  const engine = await LocalEngine.start({
    stateDir: options.stateDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
    region: draft.region,
    accountId: draft.account,
    lambdaInvoker: invoker,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    async setup(e) {
      const urls = new Map<string, string>();
      // Dead-letter queues must exist before a queue's RedrivePolicy names them.
      for (const q of draft.queues) urls.set(q.name, e.createQueue(q.name, queueAttributes(q, false)).url);
      for (const q of draft.queues) if (q.redrive) e.createQueue(q.name, queueAttributes(q, true));
      model = loadAppModel(assembly, { queueUrl: (account, region, name) => urls.get(name) ?? `local-queue://${name}` });
      for (const bus of model.buses) if (bus.name !== 'default') e.createBus(bus.name);
      // The template's buses, rules and targets, and nothing else (what an earlier start
      // declared and the template no longer has goes, as a CloudFormation deploy removes it).
      const declared = new Map<string, Map<string, Set<string>>>(model.buses.map((b) => [b.name, new Map()]));
      for (const rule of model.rules) {
        e.putRule({
          Name: rule.name, EventBusName: rule.busName, EventPattern: JSON.stringify(rule.eventPattern),
          State: rule.enabled ? 'ENABLED' : 'DISABLED',
        });
        const targets = rule.targets.filter((t) => t.kind !== 'unsupported').map(targetDefinition);
        if (targets.length > 0) e.putTargets(rule.busName, rule.name, targets);
        if (!declared.has(rule.busName)) declared.set(rule.busName, new Map());
        declared.get(rule.busName)!.set(rule.name, new Set(targets.map((t) => t.Id)));
      }
      e.retainEventBridgeDeclarations(declared);
      for (const archive of model.archives) {
        e.createArchive({
          ArchiveName: archive.name, EventSourceArn: archive.busName,
          ...(archive.eventPattern ? { EventPattern: JSON.stringify(archive.eventPattern) } : {}),
          ...(archive.retentionDays !== undefined ? { RetentionDays: archive.retentionDays } : {}),
        });
      }
      for (const table of model.tables) await e.createTable(table.createTableInput);
    },
  });

  // The functions' and mappings' faults: streams of their own, journaled as the engine's are.
  const chaos = options.chaos ? new Chaos(options.chaos, (entry) => engine.journalAppend(entry)) : undefined;
  const runner = new FunctionRunner({
    endpoint: engine.endpoint, region: engine.region, accountId: engine.accountId,
    workDir: join(options.stateDir, 'functions'),
    ...(options.maxWorkersPerFunction !== undefined ? { maxWorkersPerFunction: options.maxWorkersPerFunction } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
    // A clock of its own (a test's virtual time): handlers see it too.
    ...(options.clock ? { now: () => engine.clock.now() } : {}),
    ...(chaos ? { faults: invocationFaults(chaos) } : {}),
  });
  for (const fn of model.functions) runner.add(fn);
  invoker.attach(runner, engine);

  const mappings = model.mappings.filter((m) => runner.has(m.functionName)).map((m) => new SqsEventSource(
    m, engine, runner,
    options.onMappingOutcome ? (outcome) => options.onMappingOutcome!(m.logicalId, outcome) : undefined,
    chaos,
  ));
  for (const m of mappings) m.start();

  return {
    engine, model, runner, mappings,
    async stop() {
      await Promise.all(mappings.map((m) => m.stop()));
      await engine.stop();
      await runner.stop();
    },
  };
}

function queueAttributes(q: LocalQueue, withRedrive: boolean): QueueAttributes {
  return {
    VisibilityTimeout: String(q.visibilityTimeoutSeconds),
    DelaySeconds: String(q.delaySeconds),
    MessageRetentionPeriod: String(q.messageRetentionSeconds),
    MaximumMessageSize: String(q.maximumMessageSize),
    ReceiveMessageWaitTimeSeconds: String(q.receiveWaitTimeSeconds),
    ...(q.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: String(q.contentBasedDeduplication) } : {}),
    ...(withRedrive && q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
  };
}

function targetDefinition(t: LocalRuleTarget): TargetDefinition {
  return {
    Id: t.id, Arn: t.arn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer ? {
      InputTransformer: {
        InputTemplate: t.inputTransformer.inputTemplate,
        ...(t.inputTransformer.inputPathsMap ? { InputPathsMap: t.inputTransformer.inputPathsMap } : {}),
      },
    } : {}),
    ...(t.retryPolicy ? {
      RetryPolicy: {
        ...(t.retryPolicy.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts } : {}),
        ...(t.retryPolicy.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds } : {}),
      },
    } : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    ...(t.messageGroupId ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
  };
}
