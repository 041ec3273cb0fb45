/**
 * Loads a cloud assembly into a {@link LocalEngine}: declares its buses, rules, targets,
 * archives, queues and tables, then starts its functions (worker threads, or child processes on
 * the Node their runtime declares: lambda/runtime-node.ts) and event source
 * mappings. This is what `busline dev` runs.
 */
import { join } from 'node:path';
import { LocalEngine } from './engine.ts';
import type { Clock } from './clock.ts';
import type { ChaosProfile } from './chaos/profile.ts';
import { Chaos } from './chaos/chaos.ts';
import { invocationFaults } from './chaos/function-faults.ts';
import { readCloudAssembly, type CloudAssembly } from './assembly/cloud-assembly.ts';
import type { LocalAppModel, LocalEventSourceMapping } from './assembly/app-model.ts';
import { declareAppResources, draftAppModel } from './app-declarations.ts';
import { diffAppModels, type LocalAppUpdate } from './app-update.ts';
import { FunctionRunner } from './lambda/function-runner.ts';
import { AsyncInvoker } from './lambda/async-invoker.ts';
import type { LogLine } from './lambda/lambda-types.ts';
import { SqsEventSource, type MappingOutcome } from './esm/sqs-event-source.ts';
import { IamAuthorizer, type AccessDenial, type IamMode } from './iam/iam-authorizer.ts';
import { GrantHints } from './iam/grant-hints.ts';
import { assumedRole } from './iam/caller.ts';
import { formatAccessDenial, iamModeNotice } from './iam/access-denial-text.ts';
import { topicPiiPathsOf } from '../schema/topic-pii.ts';
import type { FlowManifest } from '../schema/flow-manifest.ts';

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
  /** Node binaries by major for the functions' runtimes (see FunctionRunnerOptions.nodeBinaries). */
  readonly nodeBinaries?: Readonly<Record<number, string>>;
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
  /**
   * Days the lineage journal keeps its records (LocalEngineOptions.journalRetentionDays); 0 keeps
   * every record. @default 7
   */
  readonly journalRetentionDays?: number;
  /** IAM: `enforce` the template's permissions, `warn` (report would-be denials, refuse nothing), or `off`. @default 'enforce' */
  readonly iam?: IamMode;
  /** Who requests from outside the flow act as: a role or function of the template. @default the account's administrator */
  readonly principal?: string;
  /** Each denial (enforced or, in `warn` mode, not). @default - a line on stderr */
  readonly onAccessDenied?: (denial: AccessDenial) => void;
  /** The one line saying how IAM runs, at start, when it is not `enforce`. @default - stderr */
  readonly onNotice?: (line: string) => void;
}

export interface LocalApp {
  readonly engine: LocalEngine;
  /** The model of the assembly it runs (the latest one given to update). */
  readonly model: LocalAppModel;
  readonly runner: FunctionRunner;
  readonly mappings: readonly SqsEventSource[];
  /**
   * Runs a changed assembly of the same app in place: new, changed and removed rules, queues,
   * functions and event source mappings are applied, and everything else keeps its state (queued
   * and in-flight messages, tables, journal, archive). What cannot change in place is kept as it
   * was and said in the result's `kept`.
   */
  update(assembly: string | CloudAssembly): Promise<LocalAppUpdate>;
  readonly iamMode: IamMode;
  stop(): Promise<void>;
}

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const assembly = typeof options.assembly === 'string' ? readCloudAssembly(options.assembly) : options.assembly;
  // First pass: names only (queue URLs are not known until the queues exist in the engine).
  const draft = draftAppModel(assembly);
  let model = draft;
  const mode = options.iam ?? 'enforce';
  const authorizer = new IamAuthorizer({
    mode, account: draft.account, roles: draft.roles, resourcePolicies: draft.resourcePolicies, functions: draft.functions,
    hints: new GrantHints(draft), ...(options.principal !== undefined && { outsiderName: options.principal }),
  });
  const notice = iamModeNotice(mode);
  if (notice) (options.onNotice ?? ((line: string) => console.warn(line)))(notice);
  const invoker = new AsyncInvoker(draft.invokeConfigs, { ...(options.asyncRetryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.asyncRetryBaseDelayMs } : {}) });

  const engine = await LocalEngine.start({
    stateDir: options.stateDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
    region: draft.region,
    accountId: draft.account,
    lambdaInvoker: invoker,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    ...(options.journalRetentionDays !== undefined ? { journalRetentionDays: options.journalRetentionDays } : {}),
    iam: { authorizer, onAccessDenied: options.onAccessDenied ?? ((denial) => console.error(formatAccessDenial(denial))) },
    async setup(e) {
      model = await declareAppResources(e, assembly, draft);
      e.setTopicPiiPaths(topicPiiPathsOf(flowsOf(model)));
    },
  });

  // The functions' and mappings' faults: streams of their own, journaled as the engine's are.
  const chaos = options.chaos ? new Chaos(options.chaos, (entry) => engine.journalAppend(entry)) : undefined;
  const runner = new FunctionRunner({
    endpoint: engine.endpoint, region: engine.region, accountId: engine.accountId,
    workDir: join(options.stateDir, 'functions'),
    ...(options.maxWorkersPerFunction !== undefined ? { maxWorkersPerFunction: options.maxWorkersPerFunction } : {}),
    ...(options.nodeBinaries ? { nodeBinaries: options.nodeBinaries } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
    // A clock of its own (a test's virtual time): handlers see it too.
    ...(options.clock ? { now: () => engine.clock.now() } : {}),
    ...(chaos ? { faults: invocationFaults(chaos) } : {}),
  });
  for (const fn of model.functions) runner.add(fn);
  invoker.attach(runner, engine);

  const mappingOf = (m: LocalEventSourceMapping, of: LocalAppModel = model): SqsEventSource => {
    // Lambda's poller receives with the function's execution role: the journal names it.
    const roleArn = of.functions.find((f) => f.name === m.functionName)?.roleArn;
    return new SqsEventSource(
      m, engine, runner,
      options.onMappingOutcome ? (outcome) => options.onMappingOutcome!(m.logicalId, outcome) : undefined,
      chaos,
      roleArn !== undefined ? assumedRole(of.account, roleArn, m.functionName).arn : undefined,
    );
  };
  let mappings = model.mappings.filter((m) => runner.has(m.functionName)).map((m) => mappingOf(m));
  for (const m of mappings) m.start();

  return {
    engine, runner, iamMode: mode,
    get model() { return model; },
    get mappings() { return mappings; },
    async update(next) {
      const nextAssembly = typeof next === 'string' ? readCloudAssembly(next) : next;
      const nextModel = await declareAppResources(engine, nextAssembly);
      engine.setTopicPiiPaths(topicPiiPathsOf(flowsOf(nextModel)));
      // Calls are checked against the changed stack's roles and policies from here on.
      authorizer.reload({ roles: nextModel.roles, resourcePolicies: nextModel.resourcePolicies, functions: nextModel.functions, hints: new GrantHints(nextModel) });
      const update = diffAppModels(model, nextModel);
      const mappingKey = (m: LocalEventSourceMapping): string => JSON.stringify(m);
      const nextMappings = new Set(nextModel.mappings.map(mappingKey));
      const [staying, going] = partition(mappings, (m) => nextMappings.has(mappingKey(m.mapping)));
      await Promise.all(going.map((m) => m.stop()));
      const nextFunctions = new Set(nextModel.functions.map((f) => f.name));
      for (const fn of model.functions) if (!nextFunctions.has(fn.name) && runner.has(fn.name)) await runner.remove(fn.name);
      for (const fn of nextModel.functions) {
        // A function whose running code is not the assembly's (a rebuilt bundle) gets the assembly's.
        if (!runner.has(fn.name) || JSON.stringify(runner.get(fn.name)) !== JSON.stringify(fn)) await runner.replace(fn);
      }
      const running = new Set(staying.map((m) => mappingKey(m.mapping)));
      const started = nextModel.mappings.filter((m) => !running.has(mappingKey(m)) && runner.has(m.functionName)).map((m) => mappingOf(m, nextModel));
      for (const m of started) m.start();
      mappings = [...staying, ...started];
      model = nextModel;
      return update;
    },
    async stop() {
      await Promise.all(mappings.map((m) => m.stop()));
      await engine.stop();
      await runner.stop();
    },
  };
}

/** The flow declarations (manifests) of the app's buses. */
function flowsOf(model: LocalAppModel): FlowManifest[] {
  return model.buses.flatMap((b) => (b.flow ? [b.flow] : []));
}

function partition<T>(items: readonly T[], keep: (x: T) => boolean): [T[], T[]] {
  return [items.filter(keep), items.filter((x) => !keep(x))];
}

