/**
 * Targets and their verdicts. A target is met only if it holds on the whole measured spread:
 * an upper limit (≤) on the figure's upper IQR bound, a lower limit (≥) on its lower bound.
 * A median inside the limit with a spread reaching past it is a miss, not a pass.
 */
import type { BenchSection } from '../section.ts';
import type { Bounds } from './stats.ts';

export interface Target {
  readonly op: '≤' | '≥';
  readonly value: number;
  /** How the limit prints: "0.1×", "25 µs", "300 MB". */
  readonly text: string;
}

export type Verdict = 'met' | 'missed';

/** A row of the targets table: one figure of a section against its target. */
export interface TargetRow {
  /** Which of the issue's targets (ISSUE_TARGETS) this row answers. */
  readonly id: TargetId;
  readonly figure: string;
  readonly target: string;
  /** The measured figure as printed: median and its bounds. */
  readonly measured: string;
  readonly verdict: Verdict | 'not measured';
}

export const atMost = (value: number, text: string): Target => ({ op: '≤', value, text });
export const atLeast = (value: number, text: string): Target => ({ op: '≥', value, text });

/** The bound that decides: the upper one for a ≤ target, the lower one for a ≥ target. */
export function decidingBound(bounds: Bounds, target: Target): number {
  return target.op === '≤' ? bounds.upper : bounds.lower;
}

export function verdict(bounds: Bounds, target: Target): Verdict {
  const bound = decidingBound(bounds, target);
  return (target.op === '≤' ? bound <= target.value : bound >= target.value) ? 'met' : 'missed';
}

/** A targets-table row from measured bounds, printed with `format`. */
export function targetRow(id: TargetId, bounds: Bounds, format: (b: Bounds) => string): TargetRow {
  const t = ISSUE_TARGETS[id];
  return { id, figure: t.figure, target: `${t.target.op} ${t.target.text}`, measured: format(bounds), verdict: verdict(bounds, t.target) };
}

/**
 * The targets of issue 18 (performance round 2), in its order: every section that measures
 * one of these figures reports it under its id, and `npm run bench` prints them as one table
 * (a figure no section reported shows as not measured).
 */
export const ISSUE_TARGETS = {
  'runtime-vs-powertools': { figure: 'runtime per event ÷ Powertools zod stack, like for like', target: atMost(0.1, '0.1×') },
  'runtime-vs-middy': { figure: 'runtime per event ÷ the middy stack (event-normalizer + validator + partial batch)', target: atMost(2, '2×') },
  'bundle-size': { figure: 'reserve-inventory bundle, minified', target: atMost(60_000, '60 KB') },
  'bundle-vs-powertools': { figure: 'reserve-inventory bundle ÷ the like-for-like Powertools bundle', target: atMost(0.25, '0.25×') },
  'first-batch-vs-powertools': { figure: 'start → first batch ÷ Powertools, like for like', target: atMost(0.5, '0.5×') },
  'engine-cpu-per-event': { figure: 'engine CPU per routed event', target: atMost(25, '25 µs') },
  'routing-vs-floor': { figure: 'engine routing throughput ÷ the parse-and-fsync floor, same client, same run', target: atLeast(0.5, '0.5×') },
  'rules-1000-vs-10': { figure: 'engine CPU per event, 1,000 rules on the bus ÷ 10 rules', target: atMost(1.5, '1.5×') },
  'flow-sustained': { figure: 'reference flow sustained', target: atLeast(300, '300 orders/s') },
  'flow-p99': { figure: 'p99 latency at 20 orders/s, publish → notification written', target: atMost(20, '20 ms') },
  'engine-rss-max': { figure: 'engine RSS over a long run, max', target: atMost(300, '300 MB') },
  'engine-rss-flat': { figure: 'engine RSS flat after the first quarter of the run (max of the rest ÷ max up to the quarter)', target: atMost(1.1, '1.1×') },
} as const satisfies Record<string, { figure: string; target: Target }>;

export type TargetId = keyof typeof ISSUE_TARGETS;

/** The target of an issue figure, for a section's own verdict sentence. */
export const targetOf = (id: TargetId): Target => ISSUE_TARGETS[id].target;

/** Every issue target in order, each with the row a section reported or "not measured". */
export function targetsTable(reported: readonly TargetRow[]): TargetRow[] {
  return (Object.keys(ISSUE_TARGETS) as TargetId[]).map((id) => {
    const row = reported.find((r) => r.id === id);
    if (row) return row;
    const t = ISSUE_TARGETS[id];
    return { id, figure: t.figure, target: `${t.target.op} ${t.target.text}`, measured: '—', verdict: 'not measured' };
  });
}

/** The sentence a section's notes give a target: the figure, the bound that decided and the verdict. */
export function verdictSentence(figure: string, bounds: Bounds, target: Target, unit = ''): string {
  const v = verdict(bounds, target);
  const which = target.op === '≤' ? 'upper' : 'lower';
  const n = (x: number) => `${Number(x.toPrecision(3)).toLocaleString('en-US')}${unit}`;
  const measured = bounds.lower === bounds.upper ? `measured ${n(bounds.median)}` : `median ${n(bounds.median)}, ${which} IQR bound ${n(decidingBound(bounds, target))}`;
  return `Target ${figure} ${target.op} ${target.text}: ${measured} — ${v}.`;
}

/** The targets table as a section of RESULTS.md, with the rule its verdicts follow. */
export function targetsSection(reported: readonly TargetRow[]): BenchSection {
  const rows = targetsTable(reported);
  const met = rows.filter((r) => r.verdict === 'met').length;
  const measured = rows.filter((r) => r.verdict !== 'not measured').length;
  return {
    title: 'Targets (issue 18)',
    columns: ['figure', 'target', 'measured: median (IQR bounds)', 'verdict'],
    rows: rows.map((r) => [r.figure, r.target, r.measured, r.verdict]),
    notes: [
      `${met} of ${measured} measured targets met${measured < rows.length ? `; ${rows.length - measured} not measured in this run` : ''}.`,
      'A target is met only if it holds on the interquartile range, not just the median: a ≤ target on the upper bound, a ≥ target on the lower bound. A ratio\'s bounds divide one figure\'s quartile by the other\'s opposite quartile (p75 ÷ p25 for the upper bound).',
    ],
  };
}
