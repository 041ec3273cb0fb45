import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLineage, renderLineage } from '../../lib/cli/lineage.ts';
import { RuleMismatches } from '../../lib/local/journal/rule-mismatches.ts';
import type { EventAcceptedRecord, JournalRecord } from '../../lib/local/journal/types.ts';

const at = (s: number): string => `2026-11-25T12:00:${String(s).padStart(2, '0')}.000Z`;
let seq = 0;
const accepted = (eventId: string, metadataId: string, topic: string, causationId?: string): JournalRecord => ({
  seq: ++seq, at: at(seq), kind: 'event.accepted', eventId, bus: 'b', source: 's', topic, metadataId, correlationId: 'corr-1',
  ...(causationId ? { causationId } : {}), event: {},
});

const records: JournalRecord[] = [
  accepted('e1', 'm1', 'order.placed'),
  { seq: ++seq, at: at(seq), kind: 'rule.matched', eventId: 'e1', bus: 'b', rule: 'R1', targets: ['T'] },
  { seq: ++seq, at: at(seq), kind: 'delivery.enqueued', eventId: 'e1', queue: 'Q1', messageId: 'msg-1', via: 'rule:b/R1/T' },
  { seq: ++seq, at: at(seq), kind: 'delivery.received', queue: 'Q1', messageId: 'msg-1', receiveCount: 1 },
  { seq: ++seq, at: at(seq), kind: 'invocation.finished', functionName: 'F1', invocationId: 'i1', outcome: 'success', durationMs: 5, eventId: 'e1', logs: ['{"_aws":{}}', 'hello'] },
  accepted('e2', 'm2', 'inventory.reserved', 'm1'),
  accepted('e3', 'm3', 'order.placed'),
];

test('events caused while handling another hang under it, linked by causationId → metadata.id', () => {
  const roots = buildLineage(records);
  assert.deepEqual(roots.map((r) => r.event.eventId), ['e1', 'e3']);
  assert.deepEqual(roots[0]!.children.map((c) => c.event.eventId), ['e2']);
});

test('a delivery step without an event id is attached to its event through the message id', () => {
  const [root] = buildLineage(records);
  assert.ok(root!.steps.some((s) => s.kind === 'delivery.received'));
});

test('the tree names subscriptions instead of physical names and drops metric lines from logs', () => {
  const lines = renderLineage(buildLineage(records).slice(0, 1), (n) => (n === 'F1' ? 'reserve-inventory' : n));
  const text = lines.join('\n');
  assert.match(text, /✓ reserve-inventory success in 5 ms/);
  assert.match(text, /\| hello/);
  assert.doesNotMatch(text, /_aws/);
  assert.match(text, /└─ inventory\.reserved/);
});

test('a replayed event (same event id as its original) gets its own node with its own steps', () => {
  const replayed: JournalRecord[] = [
    ...records,
    { seq: ++seq, at: at(seq), kind: 'event.accepted', eventId: 'e1', bus: 'b', source: 's', topic: 'order.placed', metadataId: 'm1', correlationId: 'corr-1', replayName: 'r1', event: {} },
    { seq: ++seq, at: at(seq), kind: 'rule.matched', eventId: 'e1', bus: 'b', rule: 'R2', targets: ['T'] },
  ];
  const roots = buildLineage(replayed);
  const copy = roots.find((r) => r.event.replayName === 'r1')!;
  assert.deepEqual(copy.steps.map((s) => s.kind === 'rule.matched' && s.rule), ['R2']);
  assert.ok(!roots[0]!.steps.some((s) => s.kind === 'rule.matched' && s.rule === 'R2'));
});

test("a handler's log line shows in the tree with its own fields, without the ids the node already shows", () => {
  const line = JSON.stringify({ level: 'info', time: at(1), message: 'welcome sent', flow: 'f', subscription: 's', topic: 'order.placed', eventId: 'm1', correlationId: 'corr-1', attempt: 1, userId: 'u-7' });
  const withLog = records.map((r) => (r.kind === 'invocation.finished' ? { ...r, logs: [line] } : r));
  const text = renderLineage(buildLineage(withLog).slice(0, 1), (n) => n).join('\n');
  assert.match(text, /\| INFO welcome sent {2}userId=u-7$/m);
});

test('the tree shows, for each event, why it did not match each rule of its bus it did not match', () => {
  const journal: JournalRecord[] = [
    { seq: ++seq, at: at(seq), kind: 'bus.rules', bus: 'b', rules: [
      { name: 'R1', pattern: JSON.stringify({ 'detail-type': ['order.placed'] }), state: 'ENABLED' },
      { name: 'R9', pattern: JSON.stringify({ detail: { data: { total: [{ numeric: ['>', 100] }] } } }), state: 'ENABLED' },
      { name: 'R0', pattern: JSON.stringify({ source: ['s'] }), state: 'DISABLED' },
    ] },
    { ...(accepted('e9', 'm9', 'order.placed') as EventAcceptedRecord), event: { 'detail-type': 'order.placed', source: 's', detail: { data: { total: 40 } } } },
    { seq: ++seq, at: at(seq), kind: 'rule.matched', eventId: 'e9', bus: 'b', rule: 'R1', targets: ['T'] },
  ];
  const mismatches = new RuleMismatches();
  journal.forEach((r) => mismatches.observe(r));
  const text = renderLineage(buildLineage(journal), (n) => (n === 'R9' ? 'big-orders' : n), { unmatched: (e) => mismatches.of(e) }).join('\n');
  assert.match(text, /· rule big-orders did not match: detail\.data\.total: 40 is not > 100/);
  assert.match(text, /· rule R0 did not match: rule is DISABLED/);
  assert.match(text, /✓ rule R1 matched/);
  assert.doesNotMatch(text, /rule R1 did not match/);
});
