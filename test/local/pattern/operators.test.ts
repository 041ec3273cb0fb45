/** prefix, suffix, equals-ignore-case, exists, anything-but, numeric (AWS docs: "Content filtering in event patterns"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detailMatches, event, matches } from './helpers.ts';

test('prefix matches strings that start with the prefix', () => {
  assert.equal(matches({ time: [{ prefix: '2017-10-02' }] }, event({ time: '2017-10-02T18:43:48Z' })), true);
  assert.equal(matches({ time: [{ prefix: '2017-10-02' }] }, event({ time: '2017-10-03T18:43:48Z' })), false);
});

test('prefix never matches numbers, booleans or null', () => {
  assert.equal(detailMatches({ v: [{ prefix: '1' }] }, { v: 123 }), false);
  assert.equal(detailMatches({ v: [{ prefix: 'n' }] }, { v: null }), false);
});

test('prefix with equals-ignore-case ignores the case of the prefix', () => {
  assert.equal(detailMatches({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'eventbridge' }), true);
  assert.equal(detailMatches({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { service: 'sns' }), false);
});

test('suffix matches strings that end with the suffix, with or without ignoring case', () => {
  assert.equal(matches({ FileName: [{ suffix: '.png' }] }, event({ FileName: 'image.png' })), true);
  assert.equal(matches({ FileName: [{ suffix: '.png' }] }, event({ FileName: 'image.PNG' })), false);
  assert.equal(matches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, event({ FileName: 'image.PNG' })), true);
});

test('an empty suffix matches any string, and only strings', () => {
  assert.equal(matches({ source: [{ suffix: '' }] }, event({})), true);
  assert.equal(detailMatches({ v: [{ suffix: '' }] }, { v: 5 }), false);
});

test('equals-ignore-case matches the same string in any case', () => {
  assert.equal(detailMatches({ name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'ALICE' }), true);
  assert.equal(detailMatches({ name: [{ 'equals-ignore-case': 'alice' }] }, { name: 'alicia' }), false);
});

test('exists:true matches any leaf value, null included, but not an object or a missing field', () => {
  assert.equal(detailMatches({ k: [{ exists: true }] }, { k: 'v' }), true);
  assert.equal(detailMatches({ k: [{ exists: true }] }, { k: null }), true);
  assert.equal(detailMatches({ k: [{ exists: true }] }, { k: { S: 'v' } }), false);
  assert.equal(detailMatches({ k: [{ exists: true }] }, {}), false);
});

test('exists:false matches a missing field, an empty array and an object-valued field', () => {
  assert.equal(detailMatches({ k: [{ exists: false }] }, { other: 1 }), true);
  assert.equal(detailMatches({ k: [{ exists: false }] }, { k: [] }), true);
  assert.equal(detailMatches({ k: [{ exists: false }] }, { k: 'v' }), false);
});

test('exists:true finds a field inside objects of an array', () => {
  assert.equal(detailMatches({ automations: { id: [{ exists: true }] } }, { automations: [{ a: 1 }, { id: 'x' }] }), true);
});

test('anything-but with a string matches every other value, null included, but not a missing field', () => {
  const p = { state: [{ 'anything-but': 'initializing' }] };
  assert.equal(detailMatches(p, { state: 'pending' }), true);
  assert.equal(detailMatches(p, { state: 'initializing' }), false);
  assert.equal(detailMatches(p, { state: null }), true);
  assert.equal(detailMatches(p, {}), false);
});

test('anything-but with a list excludes each listed value', () => {
  const p = { state: [{ 'anything-but': ['stopped', 'overloaded'] }] };
  assert.equal(detailMatches(p, { state: 'stopped' }), false);
  assert.equal(detailMatches(p, { state: 'running' }), true);
});

test('anything-but with numbers compares numerically', () => {
  assert.equal(detailMatches({ x: [{ 'anything-but': 123 }] }, { x: 123.0 }), false);
  assert.equal(detailMatches({ x: [{ 'anything-but': [100, 200] }] }, { x: 150 }), true);
});

test('anything-but prefix, suffix and wildcard exclude what the inner operator matches', () => {
  assert.equal(detailMatches({ r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'eu-west-1' }), true);
  assert.equal(detailMatches({ r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'us-east-1' }), false);
  assert.equal(detailMatches({ f: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] }, { f: 'a.jpg' }), false);
  assert.equal(detailMatches({ f: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { f: 'src/lib/x' }), false);
  assert.equal(detailMatches({ f: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { f: 'src/bin/x' }), true);
});

test('anything-but equals-ignore-case excludes the values in any case', () => {
  const p = { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] };
  assert.equal(detailMatches(p, { state: 'STOPPED' }), false);
  assert.equal(detailMatches(p, { state: 'running' }), true);
});

test('numeric ranges with one or two bounds', () => {
  assert.equal(detailMatches({ c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 5 }), true);
  assert.equal(detailMatches({ c: [{ numeric: ['>', 0, '<=', 5] }] }, { c: 0 }), false);
  assert.equal(detailMatches({ c: [{ numeric: ['<', 10] }] }, { c: -3.5 }), true);
  assert.equal(detailMatches({ c: [{ numeric: ['>=', 10] }] }, { c: 10 }), true);
  assert.equal(detailMatches({ c: [{ numeric: ['=', 301.8] }] }, { c: 3.018e2 }), true);
});

test('numeric never matches a string holding a number', () => {
  assert.equal(detailMatches({ c: [{ numeric: ['>', 100] }] }, { c: '101' }), false);
});

test('numeric compares to six decimal places within ±5e9, and ignores numbers beyond that', () => {
  assert.equal(detailMatches({ c: [{ numeric: ['>', 0.000001] }] }, { c: 0.000002 }), true);
  assert.equal(detailMatches({ c: [{ numeric: ['>', 0] }] }, { c: 6e9 }), false);
});

test('values in one list are OR-ed: numeric or anything-but', () => {
  const p = { n: [{ numeric: ['>', 100] }, { 'anything-but': '101' }] };
  assert.equal(detailMatches(p, { n: '101' }), false);
  assert.equal(detailMatches(p, { n: '102' }), true);
  assert.equal(detailMatches(p, { n: 150 }), true);
});

test('exists:false ignores a field that only appears in another element of the same array', () => {
  // AWS matches the fields of one array element together, for absence too.
  const p = { lines: { sku: ['a'], voucher: [{ exists: false }] } };
  assert.equal(detailMatches(p, { lines: [{ sku: 'a' }, { sku: 'b', voucher: 'x' }] }), true);
  assert.equal(detailMatches(p, { lines: [{ sku: 'a', voucher: 'x' }, { sku: 'b' }] }), false);
});

test('equals-ignore-case accepts each pattern character in its lower or upper case form', () => {
  assert.equal(detailMatches({ v: [{ 'equals-ignore-case': 'straße' }] }, { v: 'STRASSE' }), true);
  assert.equal(detailMatches({ v: [{ 'equals-ignore-case': 'straße' }] }, { v: 'STRAßE' }), true);
  assert.equal(detailMatches({ v: [{ 'equals-ignore-case': 'STRASSE' }] }, { v: 'straße' }), false);
});

test('suffix with equals-ignore-case matches the end of the value in any case', () => {
  assert.equal(detailMatches({ v: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { v: 'EVENTBRIDGE' }), true);
  assert.equal(detailMatches({ v: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { v: 'bridges' }), false);
});
