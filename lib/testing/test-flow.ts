/**
 * testFlow: the flow declared in a CDK Stack (or App, or cdk.out folder) on the local engine in
 * the test's own process, on virtual time. Nothing moves until the test says so: `settle()`
 * runs until nothing is due, `advance(duration)` moves the clock, and the engine's deadlines
 * (visibility timeouts, delays, batching windows, backoff, retries, event age) and the
 * handlers' `Date` (dedupe TTLs, envelope ages) follow it. See docs/testing.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startLocalApp as startApp } from '../local/app.ts';
import type { ChaosProfile } from '../local/chaos/profile.ts';
import { viewOf } from '../local/app-view.ts';
import type { AccessDeniedNotice, IamMode, LocalSubscription, SendMessageInput } from '../local/index.ts';
import type { PublishMetadata } from '../runtime/publisher.ts';
import { loadFlowContext } from '../cli/flow-context.ts';
import { publishEvent } from '../cli/publish-event.ts';
import { localClients } from '../cli/aws-clients.ts';
import { buildLineage, renderLineage } from '../cli/lineage.ts';
import type { FlowSource } from './assembly-source.ts';
import { cachedAssembly } from './synth-cache.ts';
import { defaultSynthCacheDir } from '../assembly-cache/assembly-store.ts';
import type { DeadLetter } from './dead-letters.ts';
import { FlowTimeoutError } from './errors.ts';
import { explainEvent, type Explanation } from './explain.ts';
import { recordFlow, type WrittenLine } from './flow-records.ts';
import { FunctionOverrides, type ReplacementHandler } from './function-overrides.ts';
import type { EventLineage, Handling } from './lineage.ts';
import type { FlowLogLine } from './log-lines.ts';
import { untilQuiet } from './quiescence.ts';
import { describePending } from './report.ts';
import { VirtualClock } from './virtual-clock.ts';

/** Options of {@link testFlow}. */
export interface TestFlowOptions {
  /**
   * Folder the flow's `schemasDir` is relative to: the CDK app's folder when it was synthesized.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Where the virtual clock starts (ms since the epoch, or a Date).
   * @default the wall time when the flow starts
   */
  readonly startTime?: number | Date;
  /**
   * Environment variables per subscription, over the template's, for every test of this flow.
   * (`flow.setEnv` changes them for one test.)
   */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Concurrent execution environments (worker threads, or child processes on the runtime's Node) per function.
   * @default 1
   */
  readonly maxWorkersPerFunction?: number;
  /**
   * How far `settle()` moves the clock at most before it gives up with a FlowTimeoutError (a flow
   * that keeps retrying never settles).
   * @default 1 day
   */
  readonly settleLimit?: number | Duration;
  /**
   * Folder of synthesized assemblies, reused by content across test files and runs.
   * @default node_modules/.cache/busline/synth under the current folder
   */
  readonly synthCacheDir?: string;
  /**
   * Faults the engine injects while the flow runs (duplicates, reordering, crashes, throttling, …),
   * deterministic for the profile's seed; each is a `chaos.fault` record in the journal.
   * `parseChaosProfile('default', 7)` reads the CLI form. See docs/chaos.md. @default no faults
   */
  readonly chaos?: ChaosProfile;
  /**
   * IAM: `enforce` the template's policies on every call a handler makes (a call they do not
   * allow gets AWS's AccessDenied), `warn` (let it through; {@link FlowTest.accessDenials} lists
   * it), or `off`.
   * @default 'enforce'
   */
  readonly iam?: IamMode;
}

/** Options of {@link FlowTest.publish}. */
export interface TestPublishOptions {
  /** Metadata of the event (id, correlationId, causationId, traceparent). */
  readonly metadata?: PublishMetadata;
  /**
   * Fault: the bus gets the event twice, the very same event (same `metadata.id`, same data), as
   * at-least-once delivery may hand it over; a subscription should handle it once.
   * @default false
   */
  readonly deliverTwice?: boolean;
}

/** An event the test published. */
export interface TestEvent {
  readonly topic: string;
  /** `detail.metadata.id`. */
  readonly id: string;
  /** The id EventBridge (the engine) gave it. */
  readonly eventId: string;
  readonly correlationId: string;
}

/** One event's delivery to a subscription, with how its handling went. */
export interface Delivery extends Handling {
  /** `metadata.id` (or the EventBridge id) of the event. */
  readonly id: string;
  /** The id EventBridge gave this copy of the event. */
  readonly eventId: string;
  readonly topic: string;
  readonly data: unknown;
  /** True when the runtime skipped this copy as a duplicate of one it had already handled. */
  readonly deduplicated: boolean;
  /** When each attempt started, on the flow's (virtual) clock, in ms since the epoch: the gaps are the retry delays. */
  readonly attemptsAt: readonly number[];
}

/** Undoes a change a test made (`setEnv`, `replaceHandler`); `await using` undoes it at the end of the block. */
export interface Restorable extends AsyncDisposable {
  restore(): Promise<void>;
}

/** A flow under test on virtual time. */
export interface FlowTest<Topics extends object = Record<string, unknown>> extends AsyncDisposable {
  /** The AWS wire endpoint on 127.0.0.1 (EventBridge, SQS, DynamoDB). */
  readonly endpoint: string;
  readonly region: string;
  readonly subscriptions: readonly LocalSubscription[];
  /** The virtual time, ms since the epoch. */
  now(): number;
  /**
   * Publishes an event as `busline publish` does: `data` is checked against the topic's newest
   * schema (PayloadInvalidError, nothing sent, when it does not match). It is on the bus (and
   * on the matching subscriptions' queues) when this resolves; call `settle()` to have it handled.
   */
  publish<K extends keyof Topics & string>(topic: K, data: Topics[K], options?: TestPublishOptions): Promise<TestEvent>;
  /** Sends a message straight to a queue: a subscription's (by subscription name) or any queue of the app (by name). Objects are sent as JSON. */
  send(queue: string, body: unknown, options?: Omit<SendMessageInput, 'MessageBody'>): Promise<{ readonly messageId: string }>;
  /**
   * Runs the flow until nothing more happens without new input: moves the clock from one due
   * timer to the next (retries, backoff, visibility timeouts, delays, batching windows) while a
   * subscription's queue or a retry still holds work. Returns every event's lineage.
   */
  settle(): Promise<readonly EventLineage[]>;
  /** Moves the clock forward by `duration` (ms, or a CDK Duration), firing what falls due on the way, in time order. */
  advance(duration: number | Duration): Promise<void>;
  /** Events published on the flow's bus (by the test or by handlers), oldest first; only one topic's when named. Each carries its lineage. */
  published(topic?: string): readonly EventLineage[];
  /** Every delivery of an event to the subscription, oldest first, with its attempts and outcome. */
  deliveries(subscription: string): readonly Delivery[];
  /** Messages on the subscription's DLQ, each with `data`, `reason` and `attempts`. */
  deadLettered(subscription: string): readonly DeadLetter[];
  /** Which rules matched the event, and why each other rule of its bus did not. */
  explain(event: TestEvent | string): Explanation;
  /** The lineage of every event so far. */
  events(): readonly EventLineage[];
  /** The tree `busline events` prints for the event's conversation (its correlation id), with the handlers' log lines; every event's when none is named. */
  lineage(event?: TestEvent | string): string;
  /** Lines the functions logged, in order; one subscription's when named. */
  logs(subscription?: string): readonly FlowLogLine[];
  /**
   * Calls the template's IAM policies did not allow, oldest first: who, what, the permission that
   * was missing and the declaration that grants it (`enforced: false` under `iam: 'warn'`).
   */
  accessDenials(): readonly AccessDeniedNotice[];
  /** Every item of a table (by the construct id it was declared with, its logical id or its name), as plain objects. */
  items(table: string): Promise<Record<string, unknown>[]>;
  /** Sets environment variables of a subscription's function for a while; its next invocation starts cold with them. */
  setEnv(subscription: string, env: Readonly<Record<string, string>>): Promise<Restorable>;
  /** Puts `handler` in place of the subscription's own (it runs in the test's process) until restored. */
  replaceHandler(subscription: string, handler: ReplacementHandler): Promise<Restorable>;
  /** Faults for the subscriptions' next invocations. */
  readonly faults: FlowFaults;
  /** Stops the functions and the engine and removes the temporary folders. Safe to call twice. */
  close(): Promise<void>;
}

/** Faults a test injects into a subscription's next invocations. */
export interface FlowFaults {
  /** The function's next `times` invocations fail (error type InjectedFault) before its code runs, as a crashed runtime's would. */
  failNext(subscription: string, times?: number, message?: string): void;
  /** During the function's next invocation, its messages' visibility timeout runs out while the handler still runs: they are visible again, and a free poller receives them. */
  expireVisibility(subscription: string): void;
  /**
   * The next `times` DynamoDB requests fail with a 500 InternalServerError, as in a transient
   * DynamoDB outage: only those touching `table` (as `items()` names tables) and only those of
   * `action` (e.g. `TransactWriteItems`), when given. The AWS SDK retries such errors itself
   * (3 attempts by default), so a handler sees one only after that many.
   */
  failDynamoDb(times?: number, options?: { readonly table?: string; readonly action?: string }): void;
}

const DEFAULT_SETTLE_LIMIT_MS = 24 * 3600_000;

/**
 * Starts a flow for a test on virtual time. `source` is a CDK Stack (its App is synthesized),
 * an App, or a cloud assembly folder; a synthesized assembly is cached by content, so the next
 * test file with the same app does not synthesize again. Close it with `close()`.
 *
 * ```ts
 * const flow = await testFlow<TopicMap>(new SignupsStack(new App(), 'Signups'));
 * await flow.publish('user.signed-up', { userId: 'u-1', email: 'ada@example.com' });
 * await flow.settle();
 * flow.deadLettered('welcome-user'); // [{ data, reason, attempts: 3, … }]
 * await flow.close();
 * ```
 */
export async function testFlow<Topics extends object = Record<string, unknown>>(source: FlowSource, options: TestFlowOptions = {}): Promise<FlowTest<Topics>> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const assemblyDir = cachedAssembly(source, options.synthCacheDir ?? defaultSynthCacheDir(process.cwd()));
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-test-flow-'));
  const clock = new VirtualClock(options.startTime instanceof Date ? options.startTime.getTime() : options.startTime);
  const written: WrittenLine[] = [];
  let running: Awaited<ReturnType<typeof startApp>>;
  try {
    running = await startApp({
      assembly: assemblyDir, stateDir, port: 0, clock,
      ...(options.maxWorkersPerFunction !== undefined ? { maxWorkersPerFunction: options.maxWorkersPerFunction } : {}),
      ...(options.chaos ? { chaos: options.chaos } : {}),
      onLog: (functionName, line) => { written.push({ functionName, line }); },
      ...(options.iam !== undefined ? { iam: options.iam } : {}),
      // Denials are in the journal: accessDenials() lists them, and a handler's failed call says why.
      onAccessDenied: () => {},
    });
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const { app, openInvocations } = viewOf(running);
  const recorded = await recordFlow(app, written);
  const { records } = recorded;
  const context = loadFlowContext(assemblyDir);
  const { events: client, kms: kmsClient } = localClients(app.engine.endpoint, app.engine.region);
  const dynamodb = new DynamoDBClient({ endpoint: app.engine.endpoint, region: app.engine.region, credentials: { accessKeyId: 'busline-local', secretAccessKey: 'busline-local' } });
  const overrides = new FunctionOverrides({
    intercept: (fn, interceptor) => running.runner.intercept(fn, interceptor),
    changeMessageVisibility: (queue, handle, seconds) => app.engine.changeMessageVisibility(queue, handle, seconds),
  });
  const settleLimitMs = milliseconds(options.settleLimit ?? DEFAULT_SETTLE_LIMIT_MS);
  const probe = { busy: () => running.runner.inFlight > 0 || openInvocations() > 0 || app.engine.hasPendingWrites(), progress: () => records.length + written.length };
  const quiet = (): Promise<void> => untilQuiet(probe);

  const functionOf = (subscription: string): string => {
    const s = recorded.subscription(subscription);
    if (!s.functionName) throw new Error(`subscription "${subscription}" has no function in this assembly`);
    return s.functionName;
  };
  const physicalNames = new Map<string, string>();
  for (const s of app.subscriptions) for (const n of [s.ruleName, s.functionName, s.queueName, s.deadLetterQueueName]) if (n) physicalNames.set(n, s.name);
  const nameOf = (physical: string): string => physicalNames.get(physical) ?? physical;
  const acceptedOf = (event: TestEvent | string) => {
    const id = typeof event === 'string' ? event : event.id;
    const found = records.find((r) => r.kind === 'event.accepted' && (r.metadataId === id || r.eventId === id));
    if (!found || found.kind !== 'event.accepted') throw new Error(`no event with id ${id} was published on the flow`);
    return found;
  };
  const allEvents = (): EventLineage[] => flatten(recorded.events());

  for (const [subscription, env] of Object.entries(options.env ?? {})) await running.runner.setEnvironmentOverrides(functionOf(subscription), env);

  let closed: Promise<void> | undefined;
  const flow: FlowTest<Topics> = {
    endpoint: app.engine.endpoint,
    region: app.engine.region,
    subscriptions: app.subscriptions,
    now: () => clock.now(),
    async publish(topic, data, publishOptions = {}) {
      const published = await publishEvent({ flows: context.flows, projectDir, client, kmsClient, topic, data, ...(publishOptions.metadata ? { metadata: publishOptions.metadata } : {}) });
      if (publishOptions.deliverTwice) {
        const accepted = acceptedOf(published.eventBridgeId).event as { source: string; 'detail-type': string };
        const bus = context.flows.find((f) => f.manifest.topics.some((t) => t.name === topic))!.busName;
        // The detail as the publisher wrote it (the journal's copy has its PII fields masked).
        await app.engine.putEvents([{ EventBusName: bus, Source: accepted.source, DetailType: accepted['detail-type'], Detail: JSON.stringify({ metadata: published.metadata, data }) }]);
      }
      const event: TestEvent = { topic, id: published.id, eventId: published.eventBridgeId, correlationId: published.metadata.correlationId };
      flowOfEvent.set(event, flow);
      return event;
    },
    async send(queue, body, sendOptions = {}) {
      const name = app.subscriptions.find((s) => s.name === queue)?.queueName ?? queue;
      const result = await app.engine.sendMessage(name, { ...sendOptions, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) });
      return { messageId: result.MessageId };
    },
    async settle() {
      const limit = clock.now() + settleLimitMs;
      for (;;) {
        await quiet();
        if (app.isIdle()) return recorded.events();
        const next = clock.nextDue();
        if (next === undefined || next > limit) {
          const pending = describePending(app, records);
          throw new FlowTimeoutError([
            next === undefined ? 'the flow is stuck: work is pending and nothing is scheduled.' : `the flow did not settle within ${settleLimitMs} ms of virtual time (settleLimit).`,
            'What happened:', ...renderLineage(buildLineage(records), nameOf, { logs: false }).map((l) => `  ${l}`),
            ...(pending.length ? ['Still pending:', ...pending.map((l) => `  ${l}`)] : []),
          ].join('\n'));
        }
        clock.fireNext(next);
      }
    },
    async advance(duration) {
      await clock.advance(milliseconds(duration), quiet);
    },
    published(topic) {
      return allEvents().filter((e) => topic === undefined || e.topic === topic);
    },
    deliveries(subscription) {
      const fn = recorded.subscription(subscription).functionName;
      const startedAt = (eventId: string): number[] => records.flatMap((r) =>
        r.kind === 'invocation.started' && r.functionName === fn && r.eventId === eventId ? [Date.parse(r.at)] : []);
      return allEvents().flatMap((e) => e.handledBy.filter((h) => h.subscription === subscription).map((h): Delivery => ({
        ...h, id: e.id, eventId: e.eventId, topic: e.topic, data: e.data,
        deduplicated: h.logs.some(skippedAsDuplicate), attemptsAt: startedAt(e.eventId),
      })));
    },
    deadLettered: (subscription) => recorded.deadLetters(subscription),
    explain(event) {
      const accepted = acceptedOf(event);
      return explainEvent(records, accepted.eventId, accepted.metadataId ?? accepted.eventId, nameOf);
    },
    events: () => recorded.events(),
    lineage(event) {
      const filter = event === undefined ? {} : (({ correlationId, metadataId, eventId }) => ({ correlationId: correlationId ?? metadataId ?? eventId }))(acceptedOf(event));
      return renderLineage(buildLineage(records, filter), nameOf).join('\n').trimEnd() || '(no events)';
    },
    logs: (subscription) => recorded.logs(subscription),
    accessDenials: () => records.flatMap((r) => (r.kind === 'access.denied' ? [{
      principal: r.principal, action: r.action, resource: r.resource, message: r.message, missing: r.missing, fix: r.fix, enforced: r.enforced,
    }] : [])),
    async items(table) {
      const name = tableName(running.model.tables, table);
      const items: Record<string, unknown>[] = [];
      for await (const page of paginateScan({ client: dynamodb }, { TableName: name })) items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
      return items;
    },
    async setEnv(subscription, env) {
      const fn = functionOf(subscription);
      const before = options.env?.[subscription] ?? {};
      await running.runner.setEnvironmentOverrides(fn, { ...before, ...env });
      return restorable(() => running.runner.setEnvironmentOverrides(fn, before));
    },
    async replaceHandler(subscription, handler) {
      const fn = functionOf(subscription);
      overrides.replace(subscription, fn, handler);
      return restorable(async () => overrides.replace(subscription, fn, undefined));
    },
    faults: {
      failNext(subscription, times = 1, message = 'fault injected by the test') {
        overrides.failNext(subscription, functionOf(subscription), times, message);
      },
      expireVisibility(subscription) {
        if (!recorded.subscription(subscription).queueName) throw new Error(`expireVisibility: subscription "${subscription}" is delivered directly (no queue, no visibility timeout)`);
        overrides.expireVisibilityDuringNext(subscription, functionOf(subscription));
      },
      failDynamoDb(times = 1, faultOptions = {}) {
        app.engine.injectDynamoDbFaults(times, {
          ...(faultOptions.action !== undefined ? { action: faultOptions.action } : {}),
          ...(faultOptions.table !== undefined ? { table: tableName(running.model.tables, faultOptions.table) } : {}),
        });
      },
    },
    close() {
      closed ??= (async () => {
        recorded.stop();
        client.destroy();
        kmsClient.destroy();
        dynamodb.destroy();
        try {
          await app.stop();
        } finally {
          rmSync(stateDir, { recursive: true, force: true });
        }
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return flow.close();
    },
  };
  return flow;
}

/**
 * The runtime's word that it skipped a record as a duplicate (lib/runtime/dedupe): its
 * `record processed` line with `outcome: duplicate`, or the `duplicate event skipped: …` text.
 */
function skippedAsDuplicate(line: FlowLogLine): boolean {
  const skipped = /^duplicate event skipped\b/;
  return line.fields.outcome === 'duplicate' || skipped.test(line.message) || skipped.test(String(line.fields.reason ?? ''));
}

function milliseconds(duration: number | Duration): number {
  return typeof duration === 'number' ? duration : duration.toMilliseconds();
}

function flatten(trees: readonly EventLineage[]): EventLineage[] {
  return trees.flatMap((t) => [t, ...flatten(t.caused)]);
}

function restorable(undo: () => Promise<void>): Restorable {
  let undone: Promise<void> | undefined;
  const restore = (): Promise<void> => (undone ??= undo());
  return { restore, [Symbol.asyncDispose]: restore };
}

/**
 * A table by its name, its logical id, or the construct id its logical id is made from
 * (`Reservations` → `ReservationsA1B2C3D4`, `DedupeTable` → `OrdersDedupeTable0F1E2D3C`).
 */
function tableName(tables: readonly { readonly name: string; readonly logicalId: string }[], wanted: string): string {
  const exact = tables.find((t) => t.name === wanted || t.logicalId === wanted);
  if (exact) return exact.name;
  const id = new RegExp(`${wanted.replace(/[^A-Za-z0-9]/g, '')}[0-9A-F]{8}$`);
  const made = tables.filter((t) => id.test(t.logicalId));
  if (made.length === 1) return made[0]!.name;
  const listed = tables.map((t) => `${t.logicalId} (${t.name})`).join(', ') || '(none)';
  throw new Error(made.length ? `"${wanted}" names several tables (${listed}): give the logical id or name` : `no table "${wanted}"; the app has: ${listed}`);
}

/** The flow each published event belongs to (for assertions on an event alone). */
const flowOfEvent = new WeakMap<TestEvent, FlowTest<object>>();

/** The flow `event` was published on by testFlow's publish; undefined for anything else. */
export function flowOf(event: unknown): FlowTest<object> | undefined {
  return typeof event === 'object' && event !== null ? flowOfEvent.get(event as TestEvent) : undefined;
}
