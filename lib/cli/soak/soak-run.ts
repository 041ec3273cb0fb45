/**
 * One soak run: the app's flow in the local engine on one state folder; N entry events
 * published (payloads generated from their schemas, seeded); the engine stopped and started
 * again R times while they flow (the restarts fall at even intervals of the publishing, and
 * each stops the engine with whatever is running: handlers die mid-run, messages in flight come
 * back); then the flow is left to settle (the harness's quiescence: no invocation running,
 * nothing journaled for a few turns, and no work waiting on a consumed queue or a retry; the
 * clock skips over waits meanwhile: skipping-clock.ts), and
 * its journal and dead-letter queues are checked (effect-check.ts).
 */
import { resolve } from 'node:path';
import { startLocalApp } from '../../local/app.ts';
import type { ChaosProfile } from '../../local/chaos/profile.ts';
import { viewOf } from '../../local/app-view.ts';
import type { LocalApp } from '../../local/index.ts';
import { createPublisher, type Publisher, type PublishInput } from '../../runtime/publisher.ts';
import { encryptionOptions, publisherTopicInfo } from '../publish-event.ts';
import { untilQuiet } from '../../testing/quiescence.ts';
import { deadLettersOf } from '../../testing/dead-letters.ts';
import { localClients } from '../aws-clients.ts';
import type { FlowContext } from '../flow-context.ts';
import { topicSchemas, validatorTable } from '../schema-check.ts';
import { entryTopics, type EntryTopic } from './entry-topics.ts';
import { payloadSource, type PayloadSource } from './payload-generator.ts';
import { checkEffects, type EffectCheck } from './effect-check.ts';
import { SkippingClock } from './skipping-clock.ts';

export interface SoakRunOptions {
  readonly assemblyDir: string;
  readonly context: FlowContext;
  /** The CDK app's folder (the flows' schemasDir is relative to it). */
  readonly projectDir: string;
  readonly stateDir: string;
  readonly events: number;
  readonly restarts: number;
  readonly seed: number;
  /** Entry events per second; unlimited when absent. */
  readonly ratePerSecond?: number;
  /**
   * How long the flow may take to settle after the last publish, in flow time (the soak's clock
   * skips over waits: skipping-clock.ts); what is unfinished then is lost.
   */
  readonly settleTimeoutMs: number;
  /** Execution environments per function. */
  readonly concurrency?: number;
  /** Faults each engine start injects (the same profile and seed after every restart). */
  readonly chaos?: ChaosProfile;
  /** One line of progress, replacing the previous one. */
  readonly progress?: (line: string) => void;
}

export interface SoakRun {
  readonly published: number;
  readonly restartsDone: number;
  readonly settled: boolean;
  readonly elapsedMs: number;
  readonly check: EffectCheck;
  /** Every journal record of the run (for the fault counts). */
  readonly records: Awaited<ReturnType<LocalApp['engine']['journalQuery']>>;
}

/** Entry events in flight at once (PutEvents calls of up to 10 each). */
const PUBLISH_BATCH = 10;
const PUBLISHES_IN_FLIGHT = 4;
/** How often the settle loop looks again once the flow is quiet but not idle (waiting on a timer). */
const SETTLE_POLL_MS = 100;

/** A running engine with what the soak needs around it. */
interface Running {
  readonly app: LocalApp;
  readonly clock: SkippingClock;
  readonly publishers: ReadonlyMap<string, Publisher>;
  readonly quiet: () => Promise<void>;
  readonly invocations: () => number;
  stop(): Promise<void>;
}

export async function runSoak(options: SoakRunOptions): Promise<SoakRun> {
  const started = Date.now();
  const { context } = options;
  const entries = entryTopics(context.flows);
  const sources = await Promise.all(entries.map((e) => topicSource(e, options)));
  const runStamp = started.toString(36);
  const restartAt = Array.from({ length: options.restarts }, (_, k) => Math.floor((options.events * (k + 1)) / (options.restarts + 1)));
  let invocationsBefore = 0;
  const clock = new SkippingClock();
  let running = await start(options, entries, sources, clock);
  const line = (phase: string): void => {
    options.progress?.(`soak: ${phase} · restarts ${restartsDone}/${options.restarts} · ${invocationsBefore + running.invocations()} invocations · ${Math.round((Date.now() - started) / 1000)} s`);
  };
  let restartsDone = 0;
  let published = 0;
  try {
    const paceStart = Date.now();
    while (published < options.events) {
      const nextRestart = restartAt[restartsDone] ?? options.events;
      const wave: Promise<void>[] = [];
      while (wave.length < PUBLISHES_IN_FLIGHT && published < nextRestart) {
        const count = Math.min(PUBLISH_BATCH, nextRestart - published);
        const batch = Array.from({ length: count }, (_, k) => published + k);
        published += count;
        wave.push(publishBatch(running, entries, sources, batch, options.seed, runStamp));
      }
      await Promise.all(wave);
      line(`published ${published}/${options.events}`);
      if (published === nextRestart && restartsDone < options.restarts) {
        invocationsBefore += running.invocations();
        await running.stop();
        restartsDone++;
        running = await start(options, entries, sources, clock);
      }
      if (options.ratePerSecond !== undefined) {
        const due = paceStart + (published / options.ratePerSecond) * 1000;
        if (due > Date.now()) await delay(due - Date.now());
      }
    }
    const settled = await settle(running, clock.now() + options.settleTimeoutMs, line);
    const records = await running.app.engine.journalQuery({});
    const deadLetters = running.app.subscriptions.flatMap((s) => deadLettersOf(running.app, s, records));
    const check = checkEffects({
      records, deadLetters,
      subscriptions: running.app.subscriptions,
      manifests: new Map(context.subscriptions.map((s) => [s.name, s.manifest])),
      dedupeTables: new Set(context.model.functions.flatMap((f) => f.environment.BUSLINE_DEDUPE_TABLE ?? [])),
      published: Array.from({ length: published }, (_, i) => eventId(options.seed, runStamp, i)),
    });
    return { published, restartsDone, settled, elapsedMs: Date.now() - started, check, records };
  } finally {
    await running.stop();
  }
}

/** The id of the i-th entry event: readable, unique per run (a state folder may hold an earlier run). */
function eventId(seed: number, runStamp: string, index: number): string {
  return `soak-${seed}-${runStamp}-${index}`;
}

interface TopicSource {
  readonly payloads: PayloadSource;
  readonly validators: ReturnType<typeof validatorTable>;
  readonly latestVersion: number;
}

async function topicSource(entry: EntryTopic, options: SoakRunOptions): Promise<TopicSource> {
  const schemas = topicSchemas(resolve(options.projectDir, entry.schemasDir), entry.topic);
  const validators = validatorTable(schemas);
  const validate = validators[entry.topic]![schemas.latest.version]!;
  return { payloads: await payloadSource(entry.topic, schemas.latest.schema, validate, options.seed), validators, latestVersion: schemas.latest.version };
}

async function start(options: SoakRunOptions, entries: readonly EntryTopic[], sources: readonly TopicSource[], clock: SkippingClock): Promise<Running> {
  let journaled = 0;
  let logged = 0;
  const started = await startLocalApp({
    assembly: options.assemblyDir, stateDir: options.stateDir, port: 0, clock,
    ...(options.concurrency !== undefined ? { maxWorkersPerFunction: options.concurrency } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    onLog: () => { logged++; },
  });
  const { app, openInvocations } = viewOf(started);
  let invocations = 0;
  const unsubscribe = app.engine.journalSubscribe({}, (r) => {
    journaled++;
    if (r.kind === 'invocation.finished') invocations++;
  });
  const { events: client, kms: kmsClient } = localClients(app.engine.endpoint, app.engine.region);
  const publishers = new Map<string, Publisher>();
  entries.forEach((e, i) => {
    publishers.set(e.topic, createPublisher({
      topics: { [e.topic]: publisherTopicInfo(e.declared, sources[i]!.latestVersion) },
      validators: sources[i]!.validators, busName: e.busName, client,
      // Encrypted fields are encrypted with the flow's key, as a producer of the flow does.
      ...encryptionOptions(e.piiKeyArn, kmsClient),
      // A throttled or partly failed PutEvents is resent; a soak keeps at it longer than a handler.
      maxAttempts: 10,
    }));
  });
  let stopped = false;
  const probe = {
    // Once stopped, nothing runs any more: a quiescence wait still going (settle's race with its
    // deadline) ends instead of watching the counters of a killed invocation forever.
    busy: () => !stopped && (started.runner.inFlight > 0 || openInvocations() > 0 || app.engine.hasPendingWrites()),
    progress: () => journaled + logged,
  };
  return {
    app, clock, publishers,
    quiet: () => untilQuiet(probe),
    invocations: () => invocations,
    async stop() {
      stopped = true;
      unsubscribe();
      client.destroy();
      kmsClient.destroy();
      await app.stop();
    },
  };
}

async function publishBatch(running: Running, entries: readonly EntryTopic[], sources: readonly TopicSource[], indexes: readonly number[], seed: number, runStamp: string): Promise<void> {
  const byTopic = new Map<string, PublishInput[]>();
  for (const i of indexes) {
    const which = i % entries.length;
    const entry = entries[which]!;
    const data = sources[which]!.payloads.payload(Math.floor(i / entries.length));
    const list = byTopic.get(entry.topic) ?? [];
    list.push({ topic: entry.topic, data, id: eventId(seed, runStamp, i) });
    byTopic.set(entry.topic, list);
  }
  await Promise.all([...byTopic].map(([topic, events]) => running.publishers.get(topic)!.publishAll(events)));
}

/**
 * Waits until the flow is idle (quiet, and nothing left to run or retry) or the clock passes
 * the deadline; true when idle. While handlers run the clock keeps the wall clock's pace (the
 * deadline is looked at every second); once the flow is quiet and only waits on a timer, the
 * clock skips to that timer.
 */
async function settle(running: Running, deadline: number, line: (phase: string) => void): Promise<boolean> {
  const { clock } = running;
  for (;;) {
    if (clock.now() >= deadline) return running.app.isIdle();
    const quiet = await Promise.race([running.quiet().then(() => true), delay(1000).then(() => false)]);
    if (quiet && running.app.isIdle()) return true;
    line(`settling (${Math.max(0, Math.round((deadline - clock.now()) / 1000))} s of flow time left)`);
    if (!quiet) continue;
    const next = clock.nextDue();
    if (next === undefined) await delay(SETTLE_POLL_MS);
    else clock.skipTo(Math.min(next, deadline));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
