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

/** The range a figure may take within the measured spread: [lower, upper]. */
export interface Bounds {
  readonly median: number;
  readonly lower: number;
  readonly upper: number;
}

/** A summary's interquartile range as bounds. */
export function iqrBounds(s: Summary): Bounds {
  return { median: s.median, lower: s.p25, upper: s.p75 };
}

/**
 * The ratio of two measured figures with the bounds their interquartile ranges allow: the
 * lower bound divides the numerator's p25 by the denominator's p75, the upper its p75 by the
 * denominator's p25. A constant (a bundle's bytes) has no spread.
 */
export function ratioBounds(numerator: Summary | number, denominator: Summary | number): Bounds {
  const n = typeof numerator === 'number' ? { median: numerator, p25: numerator, p75: numerator } : numerator;
  const d = typeof denominator === 'number' ? { median: denominator, p25: denominator, p75: denominator } : denominator;
  if (d.median <= 0 || d.p25 <= 0) throw new Error(`ratioBounds: the denominator must be positive (median ${d.median}, p25 ${d.p25})`);
  return { median: n.median / d.median, lower: n.p25 / d.p75, upper: n.p75 / d.p25 };
}

/** "0.092× (0.081–0.107×)": a ratio's median and its IQR bounds; a ratio of constants has none. */
export function formatRatioBounds(b: Bounds): string {
  if (b.lower === b.upper) return `${formatNumber(b.median)}×`;
  return `${formatNumber(b.median)}× (${formatNumber(b.lower)}–${formatNumber(b.upper)}×)`;
}
