/**
 * Exponential backoff with full jitter: retry n waits a uniformly random time in
 * [0, min(max, base × 2^(n−1))]. Full jitter spreads retries of many records (or many
 * publishers) so they do not hit a recovering dependency at the same instant.
 */
export function fullJitterDelay(retry: number, base: number, max: number, random: () => number = Math.random): number {
  return random() * exponentialCap(retry, base, max);
}

/** The upper bound of retry n's delay: min(max, base × 2^(n−1)), n ≥ 1. */
export function exponentialCap(retry: number, base: number, max: number): number {
  const n = Math.max(1, Math.floor(retry));
  // 2^(n−1) overflows to Infinity for huge n; min() keeps it at max.
  return Math.min(max, base * 2 ** (n - 1));
}
