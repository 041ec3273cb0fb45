import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedSection, summarizeError } from '../../bench/lib/section-failure.ts';

test('a failed section keeps the error message and drops stack frames', () => {
  const text = 'Error: dynalite did not start\n    at start (bench/lib/dynalite.ts:10:3)\n    at run (bench/x.bench.ts:5:1)';
  assert.equal(summarizeError(text), 'Error: dynalite did not start');
});

test('an error quoting a minified bundle is cut short and keeps its last line, where the message is', () => {
  const text = ['file:///x/index.mjs:3', 'x'.repeat(5000), '', 'RuntimeOptionsError: no table is named', 'Node.js v20'].join('\n');
  const gist = summarizeError(text);
  assert.ok(gist.length < 700, `gist of ${gist.length} characters`);
  assert.match(gist, /RuntimeOptionsError: no table is named/);
});

test('a failed section is a one-row table saying it was not measured, with the reason in its notes', () => {
  const section = failedSection('synth', 'Error: boom');
  assert.deepEqual(section.rows, [['not measured']]);
  assert.deepEqual(section.notes, ['The section failed: Error: boom']);
});
