import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatRatio, formatRatioBounds, formatSummary, ratioBounds, summarize } from '../../bench/lib/stats.ts';

test('summarize gives the median and interquartile range of unsorted samples', () => {
  const s = summarize([9, 1, 5, 3, 7]);
  assert.deepEqual(s, { median: 5, p25: 3, p75: 7, min: 1, max: 9, n: 5 });
});

test('summarize interpolates the median of an even number of samples', () => {
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
});

test('summarize refuses an empty sample set, naming the cause', () => {
  assert.throws(() => summarize([]), /no values/);
});

test('numbers are rounded to a precision that suits their magnitude', () => {
  assert.equal(formatNumber(3.4567), '3.46');
  assert.equal(formatNumber(34.567), '34.6');
  assert.equal(formatNumber(4409.2), '4,409');
  assert.equal(formatNumber(0.04321), '0.043');
});

test('a summary prints as median (p25–p75) and a ratio compares medians', () => {
  const a = summarize([10, 12, 14]);
  const b = summarize([100, 120, 140]);
  assert.equal(formatSummary(a), '12.0 (11.0–13.0)');
  assert.equal(formatRatio(a, b), '0.100×');
  assert.equal(formatRatio(1, 0), 'n/a');
});

test('the bounds of a ratio divide each quartile by the opposite quartile of the other figure', () => {
  const b = ratioBounds(summarize([20, 22, 24]), summarize([200, 220, 240]));
  assert.equal(b.median, 0.1);
  assert.equal(b.lower, 21 / 230);
  assert.equal(b.upper, 23 / 210);
});

test('a constant in a ratio has no spread of its own', () => {
  const b = ratioBounds(50, summarize([100, 200, 300]));
  assert.deepEqual(b, { median: 0.25, lower: 50 / 250, upper: 50 / 150 });
});

test('a ratio over a figure that can be zero is refused, naming the cause', () => {
  assert.throws(() => ratioBounds(1, summarize([0, 0, 1])), /denominator must be positive/);
});

test('ratio bounds print as the median with the bounds after it', () => {
  assert.equal(formatRatioBounds({ median: 0.092, lower: 0.081, upper: 0.107 }), '0.092× (0.081–0.107×)');
});

test('a ratio of two constants prints without bounds', () => {
  assert.equal(formatRatioBounds(ratioBounds(72_500, 226_000)), '0.321×');
});
