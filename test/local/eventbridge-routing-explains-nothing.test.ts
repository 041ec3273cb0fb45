/**
 * Routing pays for the rules an event matches, not for the rules of its bus: it explains no
 * rule it did not match and journals no record per such rule; the journal keeps the bus's
 * rules once, and why the event did not match the others is derived from that when read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Declarations, type Bus } from '../../lib/local/eventbridge/declarations.ts';
import type { EventArchive } from '../../lib/local/eventbridge/archive.ts';
import type { JournalSink } from '../../lib/local/eventbridge/journal-sink.ts';
import { Router } from '../../lib/local/eventbridge/routing.ts';
import type { BusEvent } from '../../lib/local/eventbridge/types.ts';
import { RuleMismatches } from '../../lib/local/journal/rule-mismatches.ts';
import type { JournalEntry, JournalRecord } from '../../lib/local/journal/types.ts';

/** A journal sink that keeps the records in memory, stamped as the journal stamps them. */
function memoryJournal(): JournalSink & { readonly records: JournalRecord[] } {
  const records: JournalRecord[] = [];
  const stamp = (entry: JournalEntry): JournalRecord => ({ seq: records.length + 1, at: '2026-12-07T00:00:00.000Z', ...entry }) as JournalRecord;
  return {
    records,
    write: (entry) => void records.push(stamp(entry)),
    appendAccepted: (entry, event) => void records.push(stamp({ ...entry, event })),
  };
}

/** A bus with `count` rules: `matching` selects OrderPlaced, the others another detail-type each. */
function busWithRules(count: number): Bus {
  const declarations = new Declarations({ region: 'us-east-1', accountId: '000000000000' });
  declarations.createBus('shop');
  declarations.putRule({ Name: 'matching', EventBusName: 'shop', EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }) });
  for (let i = 1; i < count; i++) {
    declarations.putRule({ Name: `other-${i}`, EventBusName: 'shop', EventPattern: JSON.stringify({ 'detail-type': [`Other${i}`] }) });
  }
  return declarations.bus('shop');
}

/** Counts the explanations asked of the bus's rules' patterns (the seam: EventPattern.explain). */
function countExplanations(bus: Bus): { readonly calls: number } {
  const counter = { calls: 0 };
  for (const rule of bus.rules.values()) {
    const explain = rule.pattern.explain.bind(rule.pattern);
    rule.pattern.explain = (event) => {
      counter.calls++;
      return explain(event);
    };
  }
  return counter;
}

function router(journal: JournalSink, bus: Bus): Router {
  return new Router({
    buses: new Map([[bus.name, bus]]),
    archive: {} as EventArchive,
    journal,
    busArnPrefix: 'arn:aws:events:us-east-1:000000000000:event-bus/',
    deliver: () => {},
  });
}

function event(id: string, detailType: string): BusEvent {
  return { version: '0', id, 'detail-type': detailType, source: 'shop', account: '000000000000', time: '2026-12-07T00:00:00Z', region: 'us-east-1', resources: [], detail: {} };
}

function route(r: Router, bus: Bus, e: BusEvent): void {
  r.route(bus, e, JSON.stringify(e), Date.parse(e.time));
}

test('routing an event explains none of the rules it did not match', () => {
  const bus = busWithRules(50);
  const explanations = countExplanations(bus);
  const r = router(memoryJournal(), bus);
  route(r, bus, event('e1', 'OrderPlaced'));
  route(r, bus, event('e2', 'NobodyListens'));
  assert.equal(explanations.calls, 0);
});

test('routing journals no record per rule an event did not match', () => {
  const bus = busWithRules(50);
  const journal = memoryJournal();
  route(router(journal, bus), bus, event('e1', 'OrderPlaced'));
  assert.deepEqual(journal.records.map((r) => r.kind), ['bus.rules', 'event.accepted', 'rule.matched']);
});

test("the journal lists a bus's rules once, before the first event routed with them, and again after they change", () => {
  const declarations = new Declarations({ region: 'us-east-1', accountId: '000000000000' });
  const bus = declarations.createBus('shop');
  declarations.putRule({ Name: 'r', EventBusName: 'shop', EventPattern: '{"source":["a"]}' });
  const journal = memoryJournal();
  const r = router(journal, bus);
  route(r, bus, event('e1', 'X'));
  route(r, bus, event('e2', 'X'));
  declarations.setRuleState('shop', 'r', false);
  route(r, bus, event('e3', 'X'));
  const listed = journal.records.flatMap((rec) => (rec.kind === 'bus.rules' ? [rec.rules] : []));
  assert.deepEqual(listed, [
    [{ name: 'r', pattern: '{"source":["a"]}', state: 'ENABLED' }],
    [{ name: 'r', pattern: '{"source":["a"]}', state: 'DISABLED' }],
  ]);
  assert.deepEqual(journal.records.map((rec) => rec.kind), ['bus.rules', 'event.accepted', 'event.accepted', 'bus.rules', 'event.accepted']);
});

test('why a routed event did not match each other rule is derived from what routing journaled', () => {
  const bus = busWithRules(3);
  const journal = memoryJournal();
  route(router(journal, bus), bus, event('e1', 'OrderPlaced'));
  const mismatches = new RuleMismatches();
  journal.records.forEach((r) => mismatches.observe(r));
  const accepted = journal.records.find((r) => r.kind === 'event.accepted');
  assert.ok(accepted?.kind === 'event.accepted');
  const unmatched = mismatches.of(accepted);
  assert.deepEqual(unmatched.map((u) => u.rule), ['other-1', 'other-2']);
  assert.match(unmatched[0]!.reason, /detail-type/);
  assert.match(unmatched[0]!.reason, /Other1/);
});
