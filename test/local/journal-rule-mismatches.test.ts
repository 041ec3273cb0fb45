/**
 * RuleMismatches: the `rule.unmatched` records of an event, derived when the journal is read
 * from the event and the last `bus.rules` record of its bus before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleMismatches } from '../../lib/local/journal/rule-mismatches.ts';
import type { EventAcceptedRecord, JournaledRule, JournalRecord } from '../../lib/local/journal/types.ts';

let seq = 0;
const at = '2026-12-07T00:00:00.000Z';
const busRules = (bus: string, rules: JournaledRule[]): JournalRecord => ({ seq: ++seq, at, kind: 'bus.rules', bus, rules });
const accepted = (eventId: string, bus: string, detail: unknown, extra: Partial<EventAcceptedRecord> = {}): EventAcceptedRecord => ({
  seq: ++seq, at, kind: 'event.accepted', eventId, bus, source: 'shop', topic: 'OrderPlaced', correlationId: `c-${eventId}`,
  event: { id: eventId, source: 'shop', 'detail-type': 'OrderPlaced', detail }, ...extra,
});
const rule = (name: string, pattern: unknown, state: JournaledRule['state'] = 'ENABLED'): JournaledRule => ({ name, pattern: JSON.stringify(pattern), state });

function observed(records: readonly JournalRecord[]): RuleMismatches {
  const mismatches = new RuleMismatches();
  records.forEach((r) => mismatches.observe(r));
  return mismatches;
}

test('an event gets one rule.unmatched record per rule of its bus it did not match, with the field that failed', () => {
  const e = accepted('e1', 'shop', { total: 5 });
  const mismatches = observed([busRules('shop', [rule('big', { detail: { total: [{ numeric: ['>', 100] }] } }), rule('any', { source: ['shop'] })]), e]);
  assert.deepEqual(mismatches.of(e), [
    { seq: e.seq, at, kind: 'rule.unmatched', eventId: 'e1', bus: 'shop', rule: 'big', reason: 'detail.total: 5 is not > 100', topic: 'OrderPlaced', correlationId: 'c-e1' },
  ]);
});

test('an event is explained against the rules its bus had when it was routed, not as they were changed later', () => {
  const before = accepted('e1', 'shop', { total: 5 });
  const after = accepted('e2', 'shop', { total: 5 });
  const mismatches = observed([
    busRules('shop', [rule('r', { detail: { total: [{ numeric: ['>', 100] }] } })]),
    before,
    busRules('shop', [rule('r', { detail: { customer: ['vip'] } })]),
    after,
  ]);
  assert.match(mismatches.of(before)[0]!.reason, /total/);
  assert.match(mismatches.of(after)[0]!.reason, /customer/);
});

test('a disabled rule did not match because it is disabled', () => {
  const e = accepted('e1', 'shop', {});
  const mismatches = observed([busRules('shop', [rule('off', { source: ['shop'] }, 'DISABLED')]), e]);
  assert.deepEqual(mismatches.of(e).map((u) => u.reason), ['rule is DISABLED']);
});

test("an event replayed to some rules only is explained against those rules, not the bus's others", () => {
  const e = accepted('e1', 'shop', {}, { replayName: 'r1', onlyRules: ['a'] });
  const mismatches = observed([busRules('shop', [rule('a', { source: ['other'] }), rule('b', { source: ['other'] })]), e]);
  assert.deepEqual(mismatches.of(e).map((u) => u.rule), ['a']);
});

test("the rules of another bus do not explain an event", () => {
  const e = accepted('e1', 'shop', {});
  const mismatches = observed([busRules('audit', [rule('a', { source: ['other'] })]), e]);
  assert.deepEqual(mismatches.of(e), []);
});
