/**
 * Summaries of repeated measurements. Every figure in the bench tables is a median with
 * its spread (the interquartile range), never a single run: the machines are shared and a
 * single run says little.
 */
export interface Summary {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Linear-interpolated quantile of an ascending-sorted array. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values to summarize (a bench row recorded no sample)');
  const sorted = [...values].sort((x, y) => x - y);
  return {
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    n: sorted.length,
  };
}

/** Rounds to a precision that suits the magnitude: 3.42, 34.2, 342, 3,420. */
export function formatNumber(x: number): string {
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "12.3 (11.9–13.0)": median, then the interquartile range. */
export function formatSummary(s: Summary): string {
  return `${formatNumber(s.median)} (${formatNumber(s.p25)}–${formatNumber(s.p75)})`;
}

/** Ratio of two medians, "0.42×". */
export function formatRatio(numerator: Summary | number, denominator: Summary | number): string {
  const n = typeof numerator === 'number' ? numerator : numerator.median;
  const d = typeof denominator === 'number' ? denominator : denominator.median;
  if (d === 0) return 'n/a';
  return `${formatNumber(n / d)}×`;
}

/** Milliseconds elapsed since `start` (a performance.now() reading). */
export function msSince(start: number): number {
  return performance.now() - start;
}
