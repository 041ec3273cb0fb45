/** explain(): which field and which condition failed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, formatMismatch } from '../../../lib/local/pattern/index.ts';
import { event } from './helpers.ts';

const explain = (pattern: unknown, ev: Record<string, unknown>) => compilePattern(JSON.stringify(pattern)).explain(ev);

test('a matching event has no explanation', () => {
  assert.equal(explain({ source: ['orders'] }, event({})), undefined);
});

test('a failed numeric condition names the field, the value and the bound', () => {
  const m = explain({ detail: { data: { total: [{ numeric: ['>', 100] }] } } }, event({ detail: { data: { total: 50 } } }));
  assert.deepEqual(m, { path: 'detail.data.total', reason: '50 is not > 100' });
  assert.equal(formatMismatch(m!), 'detail.data.total: 50 is not > 100');
});

test('a two-sided range is described with both bounds', () => {
  const m = explain({ detail: { n: [{ numeric: ['>', 0, '<=', 5] }] } }, event({ detail: { n: 9 } }));
  assert.equal(m?.reason, '9 is not > 0 and <= 5');
});

test('the first failing field in pattern order is reported', () => {
  const m = explain({ source: ['orders'], 'detail-type': ['OrderShipped'], detail: { x: ['1'] } }, event({ detail: {} }));
  assert.deepEqual(m, { path: 'detail-type', reason: '"OrderPlaced" is not "OrderShipped"' });
});

test('a missing field says what the pattern wanted', () => {
  const m = explain({ detail: { state: [{ prefix: 'run' }] } }, event({ detail: {} }));
  assert.deepEqual(m, { path: 'detail.state', reason: 'is missing, but the pattern requires a string starting with "run"' });
});

test('several allowed values are listed', () => {
  const m = explain({ source: ['billing', { prefix: 'ship' }] }, event({}));
  assert.equal(m?.reason, '"orders" is not "billing" or a string starting with "ship"');
});

test('an array value explains that none of its elements matched', () => {
  const m = explain({ resources: ['arn:c'] }, event({ resources: ['arn:a', 'arn:b'] }));
  assert.equal(m?.reason, 'none of ["arn:a", "arn:b"] is "arn:c"');
});

test('exists:false explains which value made the field present', () => {
  const m = explain({ detail: { key: [{ exists: false }] } }, event({ detail: { key: 'v' } }));
  assert.deepEqual(m, { path: 'detail.key', reason: 'is present ("v"), but the pattern requires it to be absent' });
});

test('anything-but explains the excluded value', () => {
  const m = explain({ detail: { state: [{ 'anything-but': ['stopped', 'failed'] }] } }, event({ detail: { state: 'stopped' } }));
  assert.equal(m?.reason, `"stopped" is excluded by anything but "stopped", "failed"`);
});

test('with $or, the alternative that got furthest is explained', () => {
  const p = { source: ['orders'], $or: [{ 'detail-type': ['Nope'] }, { detail: { total: [{ numeric: ['>', 100] }] } }] };
  const m = explain(p, event({ detail: { total: 50 } }));
  assert.ok(m);
  assert.ok(['detail-type', 'detail.total'].includes(m.path));
});

test('fields matched only in different array elements are explained as such', () => {
  const p = { detail: { items: { sku: ['a'], qty: [2] } } };
  const m = explain(p, event({ detail: { items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] } }));
  assert.equal(m?.path, 'detail.items.sku, detail.items.qty');
  assert.match(m!.reason, /different elements of the same array/);
});
