import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatness } from '../../bench/engine-memory.bench.ts';

const mb = (x: number) => x * 1e6;

test('flatness compares the largest sample after the first quarter with the sample at it', () => {
  const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ events: i * 1000, rss: mb([90, 100, 120, 121, 119, 125, 122, 124, 123][i]!) }));
  const f = flatness(samples)!;
  assert.deepEqual(f.atQuarter, { events: 2000, rss: mb(120) });
  assert.equal(f.maxAfter, mb(125));
  assert.equal(f.ratio, 125 / 120);
});

test('growth before the first quarter does not count against flatness', () => {
  const samples = [0, 1, 2, 3, 4].map((i) => ({ events: i * 1000, rss: mb([50, 200, 200, 200, 200][i]!) }));
  assert.equal(flatness(samples)!.ratio, 1);
});

test('a run with no sample after its first quarter cannot be judged', () => {
  assert.equal(flatness([{ events: 0, rss: mb(90) }, { events: 1000, rss: mb(95) }]), undefined);
});
