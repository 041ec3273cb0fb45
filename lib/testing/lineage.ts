/**
 * What happened to an event, read from the engine's journal: which subscriptions handled it,
 * with what outcome, what they logged, where it was dead-lettered and why, and the events
 * their handlers published while handling it (linked by causation id, as `busline events`
 * shows them).
 */
import { buildLineage, type LineageNode } from '../cli/lineage.ts';
import type { InvocationFinishedRecord, JournalRecord, LocalSubscription } from '../local/index.ts';
import type { DeadLetter } from './dead-letters.ts';
import { lastLoggedError, readLogLine, type FlowLogLine } from './log-lines.ts';

/**
 * How one subscription's handling of an event ended:
 * - `succeeded`: its last attempt succeeded (a duplicate the runtime skipped counts as succeeded);
 * - `dead-lettered`: the event is on the subscription's DLQ (see `deadLetter.reason`);
 * - `failed`: its last attempt failed and the event is not on a DLQ: a retry is due, or (direct
 *   delivery without a DLQ) Lambda dropped it;
 * - `pending`: the rule matched and no attempt has finished yet.
 */
export type HandlingOutcome = 'succeeded' | 'dead-lettered' | 'failed' | 'pending';

/** One subscription's handling of one event. */
export interface Handling {
  /** The subscription (its function name for functions outside a flow). */
  readonly subscription: string;
  /** How the handling ended, so far. */
  readonly outcome: HandlingOutcome;
  /** Attempts that finished (invocations of the function for this event). */
  readonly attempts: number;
  /** `Name: message` of the last failed attempt's error, if an attempt failed. */
  readonly lastError?: string;
  /** Lines the function logged while handling this event, in order, over all attempts. */
  readonly logs: readonly FlowLogLine[];
  /** The event's message on the subscription's DLQ, when `outcome` is `dead-lettered`. */
  readonly deadLetter?: DeadLetter;
}

/** An event with what happened to it and the events it caused, recursively. */
export interface EventLineage {
  /** The topic (EventBridge detail-type). */
  readonly topic: string;
  /** `detail.metadata.id` (the id `publish` returned), else the EventBridge id. */
  readonly id: string;
  /** The id EventBridge gave the event. */
  readonly eventId: string;
  /** `detail.metadata.correlationId`: shared by every event of one conversation. */
  readonly correlationId?: string;
  /** `metadata.id` of the event whose handler published this one. */
  readonly causationId?: string;
  /** `detail.data` (or `detail`, for an event without the Busline envelope). */
  readonly data: unknown;
  /** One entry per subscription whose rule matched the event (or whose function ran for it), in the order they first appear. */
  readonly handledBy: readonly Handling[];
  /** Events published while handling this one. */
  readonly caused: readonly EventLineage[];
}

/** What the lineage is built from. */
export interface LineageSources {
  readonly records: readonly JournalRecord[];
  readonly subscriptions: readonly LocalSubscription[];
  /** Every dead letter of the flow. */
  readonly deadLetters: readonly DeadLetter[];
}

/** The lineage trees of every event in the journal; roots are events no handler published, oldest first. */
export function eventLineages(sources: LineageSources): EventLineage[] {
  const bySubscriptionOf = nameLookup(sources.subscriptions);
  return buildLineage(sources.records).map((node) => toLineage(node, sources, bySubscriptionOf));
}

/** Finds the event with this id (`metadata.id` or EventBridge id) anywhere in the trees. */
export function findEvent(trees: readonly EventLineage[], id: string): EventLineage | undefined {
  for (const tree of trees) {
    if (tree.id === id || tree.eventId === id) return tree;
    const found = findEvent(tree.caused, id);
    if (found) return found;
  }
  return undefined;
}

/** True when every subscription's handling of the event and its descendants ended (succeeded or dead-lettered). */
export function isFinished(tree: EventLineage): boolean {
  return tree.handledBy.every((h) => h.outcome === 'succeeded' || h.outcome === 'dead-lettered') && tree.caused.every(isFinished);
}

/** Subscription name of a physical rule, function or queue name (the name itself when none). */
function nameLookup(subscriptions: readonly LocalSubscription[]): (physical: string) => string {
  const names = new Map<string, string>();
  for (const s of subscriptions) {
    for (const physical of [s.ruleName, s.functionName, s.queueName, s.deadLetterQueueName]) if (physical) names.set(physical, s.name);
  }
  return (physical) => names.get(physical) ?? physical;
}

function toLineage(node: LineageNode, sources: LineageSources, subscriptionOf: (physical: string) => string): EventLineage {
  const e = node.event;
  const detail = (e.event as { detail?: unknown } | null)?.detail;
  const data = typeof detail === 'object' && detail !== null && 'data' in detail ? (detail as { data: unknown }).data : detail;
  const steps = new Map<string, JournalRecord[]>();
  const add = (physical: string, r: JournalRecord): void => {
    const name = subscriptionOf(physical);
    const list = steps.get(name) ?? [];
    list.push(r);
    steps.set(name, list);
  };
  for (const r of node.steps) {
    if (r.kind === 'rule.matched') add(r.rule, r);
    else if (r.kind === 'invocation.started' || r.kind === 'invocation.finished') add(r.functionName, r);
    else if (r.kind === 'delivery.dead-lettered') add(r.queue, r);
  }
  const known = new Set(sources.subscriptions.map((s) => s.name));
  const functions = new Set(node.steps.flatMap((r) => (r.kind === 'invocation.finished' || r.kind === 'invocation.started' ? [subscriptionOf(r.functionName)] : [])));
  const handledBy: Handling[] = [];
  for (const [name, list] of steps) {
    // A rule outside every flow (no subscription) is not a handling unless a function ran for it.
    if (!known.has(name) && !functions.has(name)) continue;
    handledBy.push(handling(name, list, sources.deadLetters.find((d) => d.subscription === name && d.eventId === e.eventId)));
  }
  return {
    topic: e.topic ?? '',
    id: e.metadataId ?? e.eventId,
    eventId: e.eventId,
    ...(e.correlationId !== undefined ? { correlationId: e.correlationId } : {}),
    ...(e.causationId !== undefined ? { causationId: e.causationId } : {}),
    data,
    handledBy,
    caused: node.children.map((child) => toLineage(child, sources, subscriptionOf)),
  };
}

function handling(subscription: string, steps: readonly JournalRecord[], deadLetter: DeadLetter | undefined): Handling {
  const finished = steps.filter((r): r is InvocationFinishedRecord => r.kind === 'invocation.finished');
  const logs = finished.flatMap((r) => (r.logs ?? []).flatMap((l) => readLogLine(subscription, l) ?? []));
  const lastFailed = finished.filter((r) => r.outcome !== 'success').at(-1);
  const lastError = lastFailed
    ? lastLoggedError((lastFailed.logs ?? []).flatMap((l) => readLogLine(subscription, l) ?? [])) ?? lastFailed.error
    : undefined;
  const last = finished.at(-1);
  // The runtime sends an event that used up its attempts to the DLQ during its last invocation:
  // the handling is over once that invocation has finished too.
  const running = steps.filter((r) => r.kind === 'invocation.started').length > finished.length;
  const outcome: HandlingOutcome = deadLetter && !running ? 'dead-lettered'
    : last?.outcome === 'success' ? 'succeeded'
    : last ? 'failed' : 'pending';
  return {
    subscription, outcome, attempts: finished.length, logs,
    ...(lastError !== undefined ? { lastError } : {}),
    ...(deadLetter ? { deadLetter } : {}),
  };
}
