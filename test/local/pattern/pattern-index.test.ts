/** PatternIndex: many rules, one event. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, PatternIndex } from '../../../lib/local/pattern/index.ts';
import { event } from './helpers.ts';

const p = (x: unknown) => compilePattern(JSON.stringify(x));

test('match returns the values of every matching rule, in the order the rules were added', () => {
  const index = new PatternIndex<string>();
  index.add('r1', p({ 'detail-type': ['OrderPlaced'] }), 'placed');
  index.add('r2', p({ source: ['billing'] }), 'billing');
  index.add('r3', p({ detail: { data: { total: [{ numeric: ['>', 100] }] } } }), 'big');
  index.add('r4', p({ source: ['orders'], 'detail-type': ['OrderPlaced', 'OrderShipped'] }), 'orders');
  assert.deepEqual(index.match(event({ detail: { data: { total: 150 } } })), ['placed', 'big', 'orders']);
  assert.deepEqual(index.match(event({ source: 'billing', 'detail-type': 'Paid', detail: {} })), ['billing']);
});

test('a rule filed under its equality field still applies its other conditions', () => {
  const index = new PatternIndex<string>();
  index.add('r', p({ 'detail-type': ['OrderPlaced'], detail: { data: { total: [{ numeric: ['>', 100] }] } } }), 'big');
  assert.deepEqual(index.match(event({ detail: { data: { total: 50 } } })), []);
  assert.deepEqual(index.match(event({ detail: { data: { total: 500 } } })), ['big']);
});

test('a rule with $or matches through any of its alternatives, and is returned once', () => {
  const index = new PatternIndex<string>();
  index.add('r', p({ $or: [{ source: ['orders'] }, { 'detail-type': ['OrderPlaced'] }] }), 'either');
  assert.deepEqual(index.match(event({})), ['either']);
  assert.deepEqual(index.match(event({ source: 'x', 'detail-type': 'y' })), []);
});

test('equality on numbers, booleans and null is indexed by value', () => {
  const index = new PatternIndex<string>();
  index.add('n', p({ detail: { n: [300] } }), 'n');
  index.add('b', p({ detail: { b: [true] } }), 'b');
  index.add('z', p({ detail: { z: [null] } }), 'z');
  assert.deepEqual(index.match(event({ detail: { n: 300.0, b: true, z: null } })), ['n', 'b', 'z']);
  assert.deepEqual(index.match(event({ detail: { n: '300', b: 'true', z: 'null' } })), []);
});

test('remove takes a rule out, and adding an id again replaces the rule', () => {
  const index = new PatternIndex<string>();
  index.add('r', p({ source: ['orders'] }), 'first');
  index.add('r', p({ source: ['billing'] }), 'second');
  assert.equal(index.size, 1);
  assert.deepEqual(index.match(event({})), []);
  assert.deepEqual(index.match(event({ source: 'billing' })), ['second']);
  index.remove('r');
  assert.equal(index.size, 0);
  assert.deepEqual(index.match(event({ source: 'billing' })), []);
});

test('the index agrees with matching each pattern on its own', () => {
  const patterns = [
    { source: ['orders'] },
    { 'detail-type': [{ prefix: 'Order' }] },
    { detail: { state: [{ 'anything-but': 'x' }] } },
    { detail: { state: [{ exists: false }] } },
    { resources: ['arn:a'] },
    { source: ['orders'], detail: { n: [{ numeric: ['>=', 2] }] } },
  ].map(p);
  const index = new PatternIndex<number>();
  patterns.forEach((pt, i) => index.add(`r${i}`, pt, i));
  const events = [
    event({}), event({ detail: { state: 'x' } }), event({ detail: { state: 'y', n: 3 } }),
    event({ source: 'other', resources: ['arn:a', 'arn:b'] }), event({ 'detail-type': 'Paid', detail: { n: 1 } }),
  ];
  for (const ev of events) {
    const expected = patterns.flatMap((pt, i) => (pt.matches(ev) ? [i] : []));
    assert.deepEqual(index.match(ev), expected);
  }
});

test('rules selecting by prefix are found through the prefixes of the event value', () => {
  const index = new PatternIndex<string>();
  index.add('a', p({ source: [{ prefix: 'svc-1' }] }), 'svc-1*');
  index.add('b', p({ source: [{ prefix: 'svc-12' }, 'other'] }), 'svc-12*|other');
  index.add('c', p({ source: [{ prefix: 'x' }] }), 'x*');
  assert.deepEqual(index.match(event({ source: 'svc-123' })), ['svc-1*', 'svc-12*|other']);
  assert.deepEqual(index.match(event({ source: 'other' })), ['svc-12*|other']);
  assert.deepEqual(index.match(event({ source: 'svc-2' })), []);
  index.remove('a');
  assert.deepEqual(index.match(event({ source: 'svc-123' })), ['svc-12*|other']);
});

test('a pattern implemented outside this module is matched through its own matches()', () => {
  const index = new PatternIndex<string>();
  const custom = { text: '(custom)', matches: (e: unknown) => (e as { source?: string }).source === 'orders', explain: () => undefined };
  index.add('custom', custom, 'custom');
  index.add('plain', p({ source: ['orders'] }), 'plain');
  assert.deepEqual(index.match(event({})), ['custom', 'plain']);
  assert.deepEqual(index.match(event({ source: 'billing' })), []);
});

test('rules sharing a detail-type and told apart by a field of their detail are filed apart: an event meets only its own', () => {
  const index = new PatternIndex<string>();
  for (let i = 0; i < 200; i++) index.add(`c${i}`, p({ 'detail-type': ['OrderPlaced'], detail: { customer: [`c${i}`] } }), `c${i}`);
  assert.deepEqual(index.match(event({ detail: { customer: 'c7' } })), ['c7']);
  assert.ok(index.testedInLastMatch <= 2, `tested ${index.testedInLastMatch} branches`);
  assert.deepEqual(index.match(event({ detail: { customer: 'nobody' } })), []);
  assert.ok(index.testedInLastMatch <= 1, `tested ${index.testedInLastMatch} branches`);
});
