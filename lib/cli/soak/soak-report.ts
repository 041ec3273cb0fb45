/**
 * The soak's report: one JSON object (`--json`) or a short text for people, and whether the
 * run passed (nothing lost, no effect committed twice, every dead letter with its reason).
 */
import type { JournalRecord } from '../../local/index.ts';
import type { EffectCheck } from './effect-check.ts';
import type { SoakRun } from './soak-run.ts';

export interface SoakReport {
  readonly published: number;
  /** Entry events whose whole lineage succeeded (every handling of it and of what it caused). */
  readonly handled: number;
  readonly lost: number;
  readonly duplicateEffects: number;
  /** Messages on the flow's dead-letter queues. */
  readonly deadLettered: number;
  readonly deadLetteredWithoutReason: number;
  readonly faultsInjected: Readonly<Record<string, number>>;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly elapsedS: number;
  readonly seed: number;
  readonly restarts: number;
  /** False when the flow was still working at the settle timeout (what was unfinished counts as lost). */
  readonly settled: boolean;
  readonly checks: Readonly<Record<string, string>>;
  /** Up to 10 examples of each failure, to start from. */
  readonly examples: {
    readonly lost: readonly { readonly id: string; readonly why: string }[];
    readonly duplicateEffects: readonly { readonly owner: string; readonly effect: string; readonly commits: number }[];
    readonly deadLetteredWithoutReason: readonly { readonly subscription: string; readonly id?: string; readonly messageId: string }[];
  };
}

const EXAMPLES = 10;

export function soakReport(run: SoakRun, options: { readonly seed: number }): SoakReport {
  const c = run.check;
  return {
    published: run.published,
    handled: c.handled,
    lost: c.lost.length,
    duplicateEffects: c.duplicateEffects,
    deadLettered: c.deadLettered,
    deadLetteredWithoutReason: c.deadLetteredWithoutReason.length,
    faultsInjected: faultsByKind(run.records),
    p50Ms: percentile(c.latenciesMs, 50),
    p99Ms: percentile(c.latenciesMs, 99),
    elapsedS: Math.round(run.elapsedMs / 100) / 10,
    seed: options.seed,
    restarts: run.restartsDone,
    settled: run.settled,
    checks: checksOf(c),
    examples: {
      lost: c.lost.slice(0, EXAMPLES).map(({ id, why }) => ({ id, why })),
      duplicateEffects: c.duplicates.slice(0, EXAMPLES),
      deadLetteredWithoutReason: c.deadLetteredWithoutReason.slice(0, EXAMPLES).map((d) => ({
        subscription: d.subscription, messageId: d.messageId, ...(d.id !== undefined ? { id: d.id } : {}),
      })),
    },
  };
}

/** The chaos.fault records of the run, counted by fault kind (CLI names, sorted). */
function faultsByKind(records: readonly JournalRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) if (r.kind === 'chaos.fault') counts[r.fault] = (counts[r.fault] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Nothing lost, nothing doubled, every dead letter with its reason. */
export function soakPassed(report: SoakReport): boolean {
  return report.lost === 0 && report.duplicateEffects === 0 && report.deadLetteredWithoutReason === 0;
}

/** How each figure was worked out, with the counts behind it. */
function checksOf(c: EffectCheck): Record<string, string> {
  const n = c.counts;
  return {
    handled: 'an entry event whose lineage (the event, and every event its handlers published, linked by causationId) had every matching subscription succeed, read from the journal',
    lost: 'an entry event whose lineage did not finish: a handling neither succeeded nor reached its DLQ by the end (still pending or failing at the settle timeout, or dropped), or the event was never accepted',
    declaredWrites: `${n.declaredWriteCommits} TransactWriteItems carrying a dedupe record (table.written journal records): each is one commit of the event that record names; an effect (event's dedupe key, table, item key) committed in two of them is a duplicate`,
    unattributedWrites: `${n.unattributedTransactions} TransactWriteItems without a dedupe record (ctx.write with dedupe off, or a handler's own transaction): the same write (table, item key, request digest) committed twice is a duplicate`,
    directWrites: `${n.directWrites} single-item writes outside the dedupe table (a handler's own PutItem/UpdateItem): outside ctx.write, at-least-once by design, not checked`,
    publishedEvents: `${n.publishedByHandlers} events published by handlers, ${n.resentCopies} copies resent with the same metadata.id (at-least-once, one effect: downstream dedupe keys on it; their writes are checked above)`,
    deadLetteredWithoutReason: 'a dead letter without the runtime\'s busline.reason attribute, EventBridge\'s ERROR_CODE or Lambda\'s on-failure record (e.g. moved by the queue\'s redrive after crashes, or sent there by a handler itself)',
    faultsInjected: 'chaos.fault journal records of the run (every restart\'s engine journals into the same state folder), by fault kind',
    latency: 'p50/p99 over handled entry events: from the event.accepted record of the entry event to the last effect of its lineage (latest event published, declared-write commit, or successful handling), journal times',
  };
}

/** Nearest-rank percentile of sorted values; null when there are none. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The short text report. */
export function renderSoakReport(r: SoakReport): string {
  const faults = Object.entries(r.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lines = [
    `${soakPassed(r) ? 'PASS' : 'FAIL'}  soak of ${r.published} events, ${r.restarts} restart${r.restarts === 1 ? '' : 's'}, seed ${r.seed}, ${r.elapsedS} s${r.settled ? '' : ' (did not settle)'}`,
    `  handled                 ${r.handled}`,
    `  lost                    ${r.lost}`,
    `  duplicate effects       ${r.duplicateEffects}`,
    `  dead-lettered           ${r.deadLettered} (without reason: ${r.deadLetteredWithoutReason})`,
    `  faults injected         ${faults}`,
    `  latency p50 / p99       ${r.p50Ms ?? '-'} ms / ${r.p99Ms ?? '-'} ms (publish → last effect)`,
  ];
  const few = <T>(list: readonly T[]): readonly T[] => list.slice(0, 3);
  for (const l of few(r.examples.lost)) lines.push(`  lost ${l.id}: ${l.why}`);
  for (const d of few(r.examples.duplicateEffects)) lines.push(`  doubled ${d.effect} for ${d.owner}: ${d.commits} commits`);
  for (const d of few(r.examples.deadLetteredWithoutReason)) lines.push(`  no reason: ${d.subscription} DLQ message ${d.messageId}${d.id ? ` (event ${d.id})` : ''}`);
  lines.push('  (--json for every figure and how each was checked)');
  return lines.join('\n');
}
