/**
 * The checks of a soak, read from the engine's journal and the flow's dead-letter queues once
 * the flow has settled: which entry events were handled, dead-lettered (with or without a
 * reason) or lost, which effects were committed twice, and how long each event's lineage took.
 *
 * Effects are what handlers committed:
 * - declared writes (`ctx.write`): with dedupe on, the runtime commits them in ONE
 *   TransactWriteItems together with the dedupe record `<subscription>#<event key>`
 *   (docs/dedupe.md), so each journaled `table.written` transaction carrying such a record is
 *   one commit of that event's writes. Effect key: (dedupe key, table, item key). Committed twice
 *   = the same effect key in two transactions.
 * - writes in a transaction without a dedupe record (`ctx.write` with dedupe off, or a
 *   handler's own transaction): nothing names their event, so the same write (table, item key
 *   and the same request, by digest) committed twice counts as one effect committed twice.
 * - single-item writes outside the dedupe table (a handler's own PutItem/UpdateItem): outside
 *   ctx.write, at-least-once by design (docs/dedupe.md, "What stays outside"): counted, not checked.
 * - published events: a handler's event carries a `metadata.id` derived from its run, the same
 *   on a resend; EventBridge delivers at least once, so a resent copy (same id) is the same
 *   effect, and the subscriptions downstream dedupe it (their writes are checked above).
 */
import { buildLineage, type LineageNode } from '../lineage.ts';
import { eventLineages, isFinished, type EventLineage } from '../../testing/lineage.ts';
import type { DeadLetter } from '../../testing/dead-letters.ts';
import { DLQ_ATTRIBUTES } from '../../runtime/middleware/dlq-with-reason.ts';
import { dedupeKeyFor } from '../../runtime/dedupe/dedupe-key-path.ts';
import type { JournalRecord, LocalSubscription, TableWrittenRecord } from '../../local/index.ts';
import type { FlowSubscription } from '../../schema/flow-manifest.ts';

/** What the checks read. */
export interface SoakEvidence {
  /** Every journal record of the run, in order. */
  readonly records: readonly JournalRecord[];
  /** Every message on the flow's dead-letter queues. */
  readonly deadLetters: readonly DeadLetter[];
  readonly subscriptions: readonly LocalSubscription[];
  /** Each subscription's declaration (its dedupe key path), by name. */
  readonly manifests: ReadonlyMap<string, FlowSubscription>;
  /** Physical names of the flows' dedupe tables. */
  readonly dedupeTables: ReadonlySet<string>;
  /** `metadata.id` of each entry event the soak published. */
  readonly published: readonly string[];
}

/** An entry event that neither reached its effects nor a DLQ, with where its lineage stopped. */
export interface LostEvent {
  readonly id: string;
  readonly topic?: string;
  readonly why: string;
}

/** The same effect committed more than once for one event. */
export interface DuplicateEffect {
  /** The dedupe key naming the event (`<subscription>#<id>`), or `unattributed` for a write without one. */
  readonly owner: string;
  /** `<table> <item key>` (plus `#<digest>` for an unattributed write). */
  readonly effect: string;
  readonly commits: number;
}

export interface EffectCheck {
  readonly handled: number;
  readonly lost: readonly LostEvent[];
  /** Messages on the flow's DLQs. */
  readonly deadLettered: number;
  /** Entry events with at least one dead-lettered handling in their lineage. */
  readonly deadLetteredEvents: number;
  readonly deadLetteredWithoutReason: readonly DeadLetter[];
  /** Sum over effects of (commits − 1). */
  readonly duplicateEffects: number;
  readonly duplicates: readonly DuplicateEffect[];
  /** Publish → last effect of the lineage, ms, for each handled entry event (sorted). */
  readonly latenciesMs: readonly number[];
  readonly counts: {
    readonly declaredWriteCommits: number;
    readonly unattributedTransactions: number;
    readonly directWrites: number;
    readonly publishedByHandlers: number;
    readonly resentCopies: number;
  };
}

export function checkEffects(evidence: SoakEvidence): EffectCheck {
  const writes = evidence.records.filter((r): r is TableWrittenRecord => r.kind === 'table.written');
  const commits = new Map<string, { owner: string; effect: string; commits: number }>();
  const lastWriteAt = new Map<string, number>();
  let declaredWriteCommits = 0;
  let unattributedTransactions = 0;
  let directWrites = 0;
  for (const w of writes) {
    const mark = w.items.map((i) => dedupeKeyOf(i.table, i.key, evidence.dedupeTables)).find((k) => k !== undefined);
    const effects = w.items.filter((i) => !evidence.dedupeTables.has(i.table));
    if (effects.length === 0) continue;
    if (w.action !== 'TransactWriteItems') { directWrites += effects.length; continue; }
    if (mark) {
      declaredWriteCommits++;
      lastWriteAt.set(mark, Math.max(lastWriteAt.get(mark) ?? 0, Date.parse(w.at)));
    } else unattributedTransactions++;
    for (const i of effects) {
      const owner = mark ?? 'unattributed';
      const effect = mark ? `${i.table} ${i.key}` : `${i.table} ${i.key}#${i.digest}`;
      const id = `${owner}\u0000${effect}`;
      const seen = commits.get(id) ?? { owner, effect, commits: 0 };
      seen.commits++;
      commits.set(id, seen);
    }
  }
  const duplicates = [...commits.values()].filter((c) => c.commits > 1);

  const trees = eventLineages({ records: evidence.records, subscriptions: evidence.subscriptions, deadLetters: evidence.deadLetters });
  const nodes = new Map(buildLineage(evidence.records).map((n) => [n.event.metadataId ?? n.event.eventId, n]));
  const byId = new Map<string, EventLineage>();
  for (const t of trees) if (!byId.has(t.id)) byId.set(t.id, t);

  const keysOf = dedupeKeys(evidence);
  const lost: LostEvent[] = [];
  const latenciesMs: number[] = [];
  let handled = 0;
  let deadLetteredEvents = 0;
  for (const id of evidence.published) {
    const tree = byId.get(id);
    if (!tree) { lost.push({ id, why: 'never accepted on the bus (no event.accepted record)' }); continue; }
    if (!isFinished(tree)) { lost.push({ id, topic: tree.topic, why: unfinished(tree) }); continue; }
    if (anyDeadLettered(tree)) { deadLetteredEvents++; continue; }
    handled++;
    const node = nodes.get(id);
    if (node) latenciesMs.push(lastEffectAt(node, keysOf, lastWriteAt) - Date.parse(node.event.at));
  }
  latenciesMs.sort((a, b) => a - b);

  const handlerEvents = evidence.records.filter((r) => r.kind === 'event.accepted' && r.causationId !== undefined);
  const ids = new Set<string>();
  let resentCopies = 0;
  for (const r of handlerEvents) {
    const id = r.kind === 'event.accepted' ? r.metadataId ?? r.eventId : '';
    if (ids.has(id)) resentCopies++;
    ids.add(id);
  }

  return {
    handled, lost, latenciesMs, deadLetteredEvents, duplicates,
    deadLettered: evidence.deadLetters.length,
    deadLetteredWithoutReason: evidence.deadLetters.filter((d) => !carriesReason(d)),
    duplicateEffects: duplicates.reduce((n, d) => n + d.commits - 1, 0),
    counts: { declaredWriteCommits, unattributedTransactions, directWrites, publishedByHandlers: ids.size, resentCopies },
  };
}

/**
 * A dead letter carries its reason when it says why it is there by itself: the runtime's
 * `busline.reason` attribute, EventBridge's `ERROR_CODE` (a rule target's dead letter), or
 * Lambda's on-failure record (`requestContext.condition`, direct delivery). A message the
 * queue's redrive moved after crashes, or one a handler sent there itself, carries none.
 */
export function carriesReason(d: DeadLetter): boolean {
  if (d.attributes[DLQ_ATTRIBUTES.reason] !== undefined || d.attributes.ERROR_CODE !== undefined) return true;
  const body = d.body as { requestContext?: { condition?: unknown } } | null;
  return typeof body === 'object' && body !== null && typeof body.requestContext?.condition === 'string';
}

/** The dedupe key in a dedupe-table item key (`{"pk":{"S":"<key>"}}`); attempt counters (`#…`) are not. */
function dedupeKeyOf(table: string, key: string, dedupeTables: ReadonlySet<string>): string | undefined {
  if (!dedupeTables.has(table)) return undefined;
  const pk = (JSON.parse(key) as { pk?: { S?: unknown } }).pk?.S;
  return typeof pk === 'string' && !pk.startsWith('#') ? pk : undefined;
}

/** The dedupe keys an event has in the subscriptions whose rules matched it (their key path, else metadata.id or the EventBridge id). */
function dedupeKeys(evidence: SoakEvidence): (node: LineageNode) => string[] {
  const byRule = new Map<string, ReturnType<typeof dedupeKeyFor>>();
  for (const s of evidence.subscriptions) {
    const dedupe = evidence.manifests.get(s.name)?.dedupe;
    if (s.ruleName && dedupe) byRule.set(s.ruleName, dedupeKeyFor(s.name, dedupe.keyPath));
  }
  return (node) => {
    const detail = (node.event.event as { detail?: { data?: unknown } } | null)?.detail;
    const source = { metadataId: node.event.metadataId, eventBridgeId: node.event.eventId, data: detail?.data };
    return node.steps.flatMap((r) => {
      const keyOf = r.kind === 'rule.matched' ? byRule.get(r.rule) : undefined;
      if (!keyOf) return [];
      try {
        return [keyOf(source)];
      } catch {
        return []; // a key path the event lacks: dead-lettered, no commit to find
      }
    });
  };
}

/** The time of the lineage's last effect: its latest event published, declared-write commit or successful run. */
function lastEffectAt(node: LineageNode, keysOf: (node: LineageNode) => string[], lastWriteAt: ReadonlyMap<string, number>): number {
  let last = Date.parse(node.event.at);
  for (const r of node.steps) if (r.kind === 'invocation.finished' && r.outcome === 'success') last = Math.max(last, Date.parse(r.at));
  for (const key of keysOf(node)) last = Math.max(last, lastWriteAt.get(key) ?? 0);
  for (const child of node.children) last = Math.max(last, lastEffectAt(child, keysOf, lastWriteAt));
  return last;
}

function anyDeadLettered(tree: EventLineage): boolean {
  return tree.handledBy.some((h) => h.outcome === 'dead-lettered') || tree.caused.some(anyDeadLettered);
}

/** Where an unfinished lineage stopped: the first handling neither succeeded nor dead-lettered. */
function unfinished(tree: EventLineage): string {
  const open = tree.handledBy.find((h) => h.outcome !== 'succeeded' && h.outcome !== 'dead-lettered');
  if (open) {
    return `${tree.topic} at ${open.subscription}: ${open.outcome} after ${open.attempts} attempt${open.attempts === 1 ? '' : 's'}${open.lastError ? ` (last error: ${open.lastError})` : ''}`;
  }
  const child = tree.caused.find((c) => !isFinished(c));
  return child ? unfinished(child) : `${tree.topic}: not finished`;
}
