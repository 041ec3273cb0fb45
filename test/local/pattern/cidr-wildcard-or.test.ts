/** cidr, wildcard and $or (AWS docs: "IP address matching", "Wildcard matching", "Or matching"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detailMatches, event, matches } from './helpers.ts';

test('cidr matches IPv4 addresses inside the block, edges included', () => {
  const p = { ip: [{ cidr: '10.0.0.0/24' }] };
  assert.equal(detailMatches(p, { ip: '10.0.0.0' }), true);
  assert.equal(detailMatches(p, { ip: '10.0.0.255' }), true);
  assert.equal(detailMatches(p, { ip: '10.0.1.0' }), false);
});

test('cidr never matches text that is not a valid address', () => {
  const p = { ip: [{ cidr: '10.0.0.0/24' }] };
  assert.equal(detailMatches(p, { ip: '10.0.0.256' }), false);
  assert.equal(detailMatches(p, { ip: 'host-10.0.0.1' }), false);
});

test('cidr matches IPv6 addresses however they are written', () => {
  const p = { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] };
  assert.equal(detailMatches(p, { ip: '2001:0db8:1234:1a00:0000:0000:0000:0001' }), true);
  assert.equal(detailMatches(p, { ip: '2001:db8:1234:1a00:ffff::1' }), true);
  assert.equal(detailMatches(p, { ip: '2001:db8:1234:1a01::' }), false);
});

test('an IPv4 block never matches an IPv6 address, nor the reverse', () => {
  assert.equal(detailMatches({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }), false);
  assert.equal(detailMatches({ ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }), false);
});

test('a plain IP address value matches the same address written differently', () => {
  assert.equal(detailMatches({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' }), true);
});

test('wildcard * matches any run of characters, including none', () => {
  const p = { f: [{ wildcard: '/Users/*/doc.txt' }] };
  assert.equal(detailMatches(p, { f: '/Users/me/doc.txt' }), true);
  assert.equal(detailMatches(p, { f: '/Users/me/a/b/doc.txt' }), true);
  assert.equal(detailMatches(p, { f: '/Users//doc.txt' }), true);
  assert.equal(detailMatches(p, { f: '/Users/me/doc.txt.bak' }), false);
});

test('wildcard with several stars matches in order', () => {
  const p = { a: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
  assert.equal(matches({ a: p.a }, event({ a: 'arn:aws:events:us-east-1:123456789012:event-bus/main' })), true);
  assert.equal(matches({ a: p.a }, event({ a: 'arn:aws:events:eu-west-1:123456789012:event-bus/main' })), false);
});

test('wildcard \\* is a literal star and \\\\ a literal backslash', () => {
  assert.equal(detailMatches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' }), true);
  assert.equal(detailMatches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axxb' }), false);
  assert.equal(detailMatches({ v: [{ wildcard: 'a\\\\b*' }] }, { v: 'a\\bc' }), true);
});

test('an empty wildcard matches only the empty string', () => {
  assert.equal(detailMatches({ v: [{ wildcard: '' }] }, { v: '' }), true);
  assert.equal(detailMatches({ v: [{ wildcard: '' }] }, { v: 'x' }), false);
});

test('wildcard matches strings only', () => {
  assert.equal(detailMatches({ v: [{ wildcard: '*' }] }, { v: 12 }), false);
  assert.equal(detailMatches({ v: [{ wildcard: '*' }] }, { v: null }), false);
});

test('$or matches when any alternative matches', () => {
  const p = { detail: { $or: [{ c: [{ numeric: ['>', 0, '<=', 5] }] }, { d: [{ numeric: ['<', 10] }] }] } };
  assert.equal(matches(p, event({ detail: { c: 0, d: 9 } })), true);
  assert.equal(matches(p, event({ detail: { c: 3, d: 20 } })), true);
  assert.equal(matches(p, event({ detail: { c: 0, d: 20 } })), false);
});

test('fields beside $or apply to every alternative', () => {
  const p = { source: ['orders'], $or: [{ 'detail-type': ['A'] }, { detail: { x: ['1'] } }] };
  assert.equal(matches(p, event({ 'detail-type': 'A' })), true);
  assert.equal(matches(p, event({ source: 'billing', 'detail-type': 'A' })), false);
});

test('nested $or inside an alternative', () => {
  const p = { $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] };
  assert.equal(matches(p, event({ b: '2', d: '4' })), true);
  assert.equal(matches(p, event({ b: '2' })), false);
  assert.equal(matches(p, event({ a: '1' })), true);
});

test('a "$or" whose value is an object is an ordinary field name, as for AWS rules written before $or', () => {
  assert.equal(matches({ $or: { a: ['1'] } }, event({ $or: { a: '1' } })), true);
});

test('an IPv4 address with leading zeros is not an address (ambiguous octal), so cidr does not match it', () => {
  assert.equal(detailMatches({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '010.0.0.1' }), false);
});
