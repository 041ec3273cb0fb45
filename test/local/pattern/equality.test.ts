/** Exact values, nesting and arrays (AWS docs: "Event pattern syntax", "Arrays in event patterns"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern } from '../../../lib/local/pattern/index.ts';
import { detailMatches, event, matches } from './helpers.ts';

test('a string value matches the same string and nothing else', () => {
  assert.equal(matches({ source: ['orders'] }, event({ source: 'orders' })), true);
  assert.equal(matches({ source: ['orders'] }, event({ source: 'Orders' })), false);
});

test('a list of values matches when any of them equals the event value', () => {
  assert.equal(matches({ source: ['aws.ec2', 'orders'] }, event({})), true);
});

test('every field of the pattern must match (fields are AND-ed)', () => {
  assert.equal(matches({ source: ['orders'], 'detail-type': ['OrderPlaced'] }, event({})), true);
  assert.equal(matches({ source: ['orders'], 'detail-type': ['OrderShipped'] }, event({})), false);
});

test('a field the event lacks does not match', () => {
  assert.equal(detailMatches({ state: ['running'] }, {}), false);
});

test('numbers compare as numbers: 300 matches 300.0 and 3e2', () => {
  assert.equal(detailMatches({ n: [300] }, { n: 300.0 }), true);
  assert.equal(matches({ number: [300] }, JSON.parse('{"number": 3e2}')), true);
  assert.equal(detailMatches({ n: [300] }, { n: 301 }), false);
});

test('a number never matches a string with the same digits, nor the reverse', () => {
  assert.equal(detailMatches({ n: [300] }, { n: '300' }), false);
  assert.equal(detailMatches({ n: ['300'] }, { n: 300 }), false);
});

test('true, false and null match only themselves', () => {
  assert.equal(detailMatches({ ok: [true] }, { ok: true }), true);
  assert.equal(detailMatches({ ok: [true] }, { ok: 'true' }), false);
  assert.equal(detailMatches({ v: [null] }, { v: null }), true);
  assert.equal(detailMatches({ v: [null] }, {}), false);
});

test('an empty string matches only an empty string', () => {
  assert.equal(detailMatches({ v: [''] }, { v: '' }), true);
  assert.equal(detailMatches({ v: [''] }, { v: null }), false);
  assert.equal(detailMatches({ v: [''] }, { v: [] }), false);
});

test('an array in the event matches when any element matches', () => {
  assert.equal(matches({ resources: ['arn:b'] }, event({ resources: ['arn:a', 'arn:b'] })), true);
  assert.equal(matches({ resources: ['arn:c'] }, event({ resources: ['arn:a', 'arn:b'] })), false);
});

test('an empty array in the event is an absent field: [null] does not match it', () => {
  assert.equal(matches({ resources: [null] }, event({ resources: [] })), false);
});

test('nested objects in the pattern address nested fields of the event', () => {
  assert.equal(detailMatches({ data: { order: { id: ['o-1'] } } }, { data: { order: { id: 'o-1' } } }), true);
});

test('a dotted key is the same field as the nested path', () => {
  assert.equal(detailMatches({ 'state.status': ['running'] }, { state: { status: 'running' } }), true);
  assert.equal(detailMatches({ state: { status: ['running'] } }, { 'state.status': 'running' }), true);
});

test('a pattern leaf never matches an object in the event', () => {
  assert.equal(detailMatches({ state: ['running'] }, { state: { status: 'running' } }), false);
});

test('fields of one array element are matched together', () => {
  const pattern = { items: { sku: ['a'], qty: [2] } };
  assert.equal(detailMatches(pattern, { items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] }), true);
  assert.equal(detailMatches(pattern, { items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] }), false);
});

test('keys are case sensitive', () => {
  assert.equal(matches({ MY_KEY: ['v'] }, event({ my_key: 'v' })), false);
});


test('a number beyond AWS\'s comparable range matches only the same number (account ids)', () => {
  assert.equal(detailMatches({ account: [123456789012] }, { account: 123456789012 }), true);
  assert.equal(detailMatches({ account: [123456789012] }, { account: 123456789013 }), false);
  assert.equal(matches({ n: [0] }, JSON.parse('{"n": 0}')), true);
  assert.equal(compilePattern('{"detail": {"n": [1e-999]}}').matches(event({ detail: { n: 0 } })), false);
});
