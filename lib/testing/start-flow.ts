/**
 * startFlow: a flow under test, run by the local engine in the test's own process. See
 * docs/testing.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalApp, type LocalApp, type LocalSubscription } from '../local/index.ts';
import type { PublishMetadata } from '../runtime/publisher.ts';
import { loadFlowContext } from '../cli/flow-context.ts';
import { publishEvent } from '../cli/publish-event.ts';
import { localClients } from '../cli/aws-clients.ts';
import { resolveAssembly, type FlowSource } from './assembly-source.ts';
import type { DeadLetter } from './dead-letters.ts';
import { recordFlow, type WrittenLine } from './flow-records.ts';
import { FlowTimeoutError } from './errors.ts';
import { findEvent, isFinished, type EventLineage } from './lineage.ts';
import type { FlowLogLine } from './log-lines.ts';
import { describeLineage, describePending } from './report.ts';

/** Options of {@link startFlow}. */
export interface StartFlowOptions {
  /**
   * Folder the flow's `schemasDir` is relative to: the CDK app's folder when it was synthesized.
   * @default process.cwd()
   */
  readonly projectDir?: string;
  /**
   * Folder of the engine's state (queues, archive, journal, tables).
   * @default - a new temporary folder, removed by `stop()`
   */
  readonly stateDir?: string;
  /**
   * How long `waitForHandled` and `settled` wait when not told otherwise, in milliseconds.
   * @default 15000
   */
  readonly timeoutMs?: number;
  /**
   * Delay before the first retry of a failed direct (rule → Lambda) delivery, doubling per retry.
   * @default 100 (Lambda waits 1 minute, then 2: too long for a test)
   */
  readonly asyncRetryBaseDelayMs?: number;
  /**
   * Concurrent execution environments (worker threads, or child processes on the runtime's Node) per function.
   * @default 1
   */
  readonly maxWorkersPerFunction?: number;
}

/** Options of a wait. */
export interface WaitOptions {
  /**
   * Give up after this many milliseconds with a FlowTimeoutError listing what happened.
   * @default - the flow's `timeoutMs`
   */
  readonly timeoutMs?: number;
}

/** An event the test published. */
export interface PublishedFlowEvent {
  /** The topic it was published to. */
  readonly topic: string;
  /** `detail.metadata.id`: the id to wait for and to find the event by. */
  readonly id: string;
  /** The id EventBridge (the engine) gave the event. */
  readonly eventId: string;
  /** `metadata.correlationId` (the event's own id unless one was given). */
  readonly correlationId: string;
}

/** A flow running in the local engine, for a test to drive and inspect. */
export interface FlowUnderTest extends AsyncDisposable {
  /** The AWS wire endpoint on 127.0.0.1 (EventBridge, SQS, DynamoDB): point SDK clients here. */
  readonly endpoint: string;
  /** The region of the flow's stack (as in ARNs and queue URLs). */
  readonly region: string;
  /** The flow's subscriptions, with the physical names of their queues, DLQs and functions. */
  readonly subscriptions: readonly LocalSubscription[];
  /**
   * Publishes an event as `busline publish` does: `data` is validated against the topic's newest
   * schema (a PayloadInvalidError naming each bad field, and nothing sent, when it does not
   * match), then sent to the flow's bus in the Busline envelope.
   */
  publish(topic: string, data: unknown, metadata?: PublishMetadata): Promise<PublishedFlowEvent>;
  /**
   * Waits until the event (a published event, or its `metadata.id` or EventBridge id) and every
   * event it caused have been handled by each subscription they matched — succeeded or
   * dead-lettered — or until the flow is idle (nothing more can happen); returns its lineage.
   * Throws FlowTimeoutError after `timeoutMs`, listing what happened and what is pending.
   */
  waitForHandled(event: PublishedFlowEvent | string, options?: WaitOptions): Promise<EventLineage>;
  /**
   * Waits until the flow is idle: no function runs and no message waits on a subscription's
   * queue or for a retry (dead letters stay where they are). Returns the lineage of every event
   * since the start, oldest first. Throws FlowTimeoutError after `timeoutMs`.
   */
  settled(options?: WaitOptions): Promise<readonly EventLineage[]>;
  /** The lineage of every event so far, without waiting. */
  events(): readonly EventLineage[];
  /** Lines the functions logged, in order; only one subscription's when named. EMF metric lines are left out. */
  logs(subscription?: string): readonly FlowLogLine[];
  /** Messages on the subscriptions' DLQs, each with its reason; only one subscription's when named. */
  deadLetters(subscription?: string): readonly DeadLetter[];
  /** Stops the functions and the engine, frees the port, and removes the temporary folders. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_ASYNC_RETRY_BASE_DELAY_MS = 100;
/** How often a wait looks again. The engine changes state only on I/O, so this bounds only how late a wait notices. */
const POLL_MS = 20;

/**
 * Starts a flow for a test: synthesizes `source` (a CDK Stack or App) in this process, or takes
 * a cloud assembly folder, and runs it in the local engine on 127.0.0.1 with a free port and a
 * temporary state folder. Call `stop()` (or `await using`) when the test ends.
 *
 * ```ts
 * const flow = await startFlow(new SignupsStack(new App(), 'Signups'));
 * const signedUp = await flow.publish('user.signed-up', { userId: 'u-1', email: 'ada@example.com' });
 * const lineage = await flow.waitForHandled(signedUp);
 * await flow.stop();
 * ```
 */
export async function startFlow(source: FlowSource, options: StartFlowOptions = {}): Promise<FlowUnderTest> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const assembly = resolveAssembly(source);
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'busline-flow-'));
  const removeTemporary = (): void => {
    assembly.cleanup();
    if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
  };

  const written: WrittenLine[] = [];
  let app: LocalApp;
  let context: ReturnType<typeof loadFlowContext>;
  try {
    context = loadFlowContext(assembly.dir);
    app = await startLocalApp({
      assembly: assembly.dir, stateDir, port: 0,
      asyncRetryBaseDelayMs: options.asyncRetryBaseDelayMs ?? DEFAULT_ASYNC_RETRY_BASE_DELAY_MS,
      ...(options.maxWorkersPerFunction !== undefined ? { maxWorkersPerFunction: options.maxWorkersPerFunction } : {}),
      onLog: (functionName, line) => { written.push({ functionName, line }); },
    });
  } catch (error) {
    removeTemporary();
    throw error;
  }

  const recorded = await recordFlow(app, written);
  const { records, events, deadLetters } = recorded;
  const { events: client, kms: kmsClient } = localClients(app.engine.endpoint, app.engine.region);
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() >= deadline) {
        const happened = describeLineage(events());
        const pending = describePending(app, records);
        throw new FlowTimeoutError([
          `timed out after ${timeoutMs} ms waiting for ${what}.`,
          'What happened:', ...(happened.length ? happened.map((l) => `  ${l}`) : ['  (no events)']),
          ...(pending.length ? ['Still pending:', ...pending.map((l) => `  ${l}`)] : []),
        ].join('\n'));
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  let stopped: Promise<void> | undefined;
  const flow: FlowUnderTest = {
    endpoint: app.engine.endpoint,
    region: app.engine.region,
    subscriptions: app.subscriptions,
    async publish(topic, data, metadata) {
      const published = await publishEvent({ flows: context.flows, projectDir, client, kmsClient, topic, data, ...(metadata ? { metadata } : {}) });
      return { topic, id: published.id, eventId: published.eventBridgeId, correlationId: published.metadata.correlationId };
    },
    waitForHandled(event, waitOptions = {}) {
      const id = typeof event === 'string' ? event : event.id;
      return until(`event ${id} and the events it caused to be handled`, waitOptions.timeoutMs ?? defaultTimeout, () => {
        const found = findEvent(events(), id);
        return found && (isFinished(found) || app.isIdle()) ? found : undefined;
      });
    },
    async settled(waitOptions = {}) {
      await until('the flow to be idle', waitOptions.timeoutMs ?? defaultTimeout, () => (app.isIdle() ? true : undefined));
      return events();
    },
    events,
    logs: recorded.logs,
    deadLetters,
    stop() {
      stopped ??= (async () => {
        recorded.stop();
        client.destroy();
        kmsClient.destroy();
        try {
          await app.stop();
        } finally {
          removeTemporary();
        }
      })();
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return flow.stop();
    },
  };
  return flow;
}
