import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatRatio, formatSummary, summarize } from '../../bench/lib/stats.ts';

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
