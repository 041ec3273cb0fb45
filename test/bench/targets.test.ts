import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSection } from '../../bench/lib/markdown.ts';
import { atLeast, atMost, ISSUE_TARGETS, targetRow, targetsSection, targetsTable, verdict, verdictSentence } from '../../bench/lib/targets.ts';

test('an upper limit is missed when the median meets it but the upper IQR bound does not', () => {
  assert.equal(verdict({ median: 0.092, lower: 0.08, upper: 0.107 }, atMost(0.1, '0.1×')), 'missed');
});

test('an upper limit is met when the whole interquartile range is within it', () => {
  assert.equal(verdict({ median: 0.08, lower: 0.07, upper: 0.1 }, atMost(0.1, '0.1×')), 'met');
});

test('a lower limit is decided by the lower IQR bound', () => {
  assert.equal(verdict({ median: 0.6, lower: 0.49, upper: 0.7 }, atLeast(0.5, '0.5×')), 'missed');
  assert.equal(verdict({ median: 0.6, lower: 0.5, upper: 0.7 }, atLeast(0.5, '0.5×')), 'met');
});

test('a verdict sentence names the bound that decided it', () => {
  const s = verdictSentence('runtime ÷ Powertools', { median: 0.092, lower: 0.08, upper: 0.107 }, atMost(0.1, '0.1×'), '×');
  assert.equal(s, 'Target runtime ÷ Powertools ≤ 0.1×: median 0.092×, upper IQR bound 0.107× — missed.');
});

test('a target row carries the issue figure, its target and the verdict on the bounds', () => {
  const row = targetRow('rules-1000-vs-10', { median: 1.2, lower: 1.1, upper: 1.4 }, (b) => `${b.median}×`);
  assert.deepEqual(row, { id: 'rules-1000-vs-10', figure: ISSUE_TARGETS['rules-1000-vs-10'].figure, target: '≤ 1.5×', measured: '1.2×', verdict: 'met' });
});

test('the targets table lists every issue target in order, unreported ones as not measured', () => {
  const reported = targetRow('flow-p99', { median: 25, lower: 22, upper: 30 }, (b) => `${b.median} ms`);
  const rows = targetsTable([reported]);
  assert.deepEqual(rows.map((r) => r.id), Object.keys(ISSUE_TARGETS));
  assert.equal(rows.find((r) => r.id === 'flow-p99')!.verdict, 'missed');
  assert.equal(rows.find((r) => r.id === 'flow-sustained')!.verdict, 'not measured');
});

test('the targets section counts the met targets among the measured ones', () => {
  const md = renderSection(targetsSection([targetRow('engine-cpu-per-event', { median: 20, lower: 18, upper: 24 }, (b) => `${b.median} µs`)]));
  assert.match(md, /\| engine CPU per routed event \| ≤ 25 µs \| 20 µs \| met \|/);
  assert.match(md, /1 of 1 measured targets met; 11 not measured in this run\./);
});

test('a single measurement is reported as measured, without quartiles it does not have', () => {
  assert.equal(verdictSentence('RSS', { median: 138, lower: 138, upper: 138 }, atMost(300, '300 MB'), ' MB'), 'Target RSS ≤ 300 MB: measured 138 MB — met.');
});
