import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatness } from '../../bench/engine-memory.bench.ts';

const mb = (x: number) => x * 1e6;

test('flatness compares the largest sample after the first quarter with the largest up to it', () => {
  const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ events: i * 1000, rss: mb([90, 100, 120, 121, 119, 125, 122, 124, 123][i]!) }));
  const f = flatness(samples)!;
  assert.deepEqual(f.atQuarter, { events: 2000, rss: mb(120) });
  assert.equal(f.maxAfter, mb(125));
  assert.equal(f.ratio, 125 / 120);
});

test('a garbage-collection trough at the quarter does not count as growth after it', () => {
  // 173 MB reached before the quarter, 158 MB read at it, later peaks no higher than 180 MB.
  const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ events: i * 1000, rss: mb([98, 173, 158, 170, 180, 169, 174, 163, 170][i]!) }));
  const f = flatness(samples)!;
  assert.deepEqual(f.atQuarter, { events: 2000, rss: mb(158) });
  assert.deepEqual(f.quarterPeak, { events: 1000, rss: mb(173) });
  assert.equal(f.ratio, 180 / 173);
});

test('growth after the first quarter shows as a later peak above the first quarter\'s', () => {
  const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ events: i * 1000, rss: mb([90, 120, 110, 130, 150, 170, 190, 210][i]!) }));
  assert.equal(flatness(samples)!.ratio, 210 / 120);
});

test('growth before the first quarter does not count against flatness', () => {
  const samples = [0, 1, 2, 3, 4].map((i) => ({ events: i * 1000, rss: mb([50, 200, 200, 200, 200][i]!) }));
  assert.equal(flatness(samples)!.ratio, 1);
});

test('a run with no sample after its first quarter cannot be judged', () => {
  assert.equal(flatness([{ events: 0, rss: mb(90) }, { events: 1000, rss: mb(95) }]), undefined);
});
