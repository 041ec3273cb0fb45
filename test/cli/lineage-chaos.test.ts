/** `busline events` and the chaos mode: each chaos.fault shows in the tree of the event it struck. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLineage, faultsOutsideTrees, renderLineage } from '../../lib/cli/lineage.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';

const at = (s: number): string => `2026-12-07T04:00:${String(s).padStart(2, '0')}.000Z`;
let seq = 0;
const next = (): number => ++seq;
const accepted = (eventId: string, metadataId: string, topic: string, causationId?: string): JournalRecord => {
  const n = next();
  return { seq: n, at: at(n), kind: 'event.accepted', eventId, bus: 'b', source: 's', topic, metadataId, correlationId: 'c', ...(causationId ? { causationId } : {}), event: {} };
};
const fault = (fields: Record<string, string>): JournalRecord => {
  const n = next();
  return { seq: n, at: at(n), kind: 'chaos.fault', seed: 7, fault: fields['fault'] as 'duplicate', detail: fields['detail'] ?? 'x', ...fields } as JournalRecord;
};

const records: JournalRecord[] = [
  accepted('e1', 'm1', 'user.signed-up'),
  { seq: next(), at: at(seq), kind: 'delivery.enqueued', eventId: 'e1', queue: 'Q1', messageId: 'msg-1', via: 'rule:b/R/T' },
  fault({ fault: 'duplicate', queue: 'Q1', messageId: 'msg-1', detail: 'the delete missed a copy: delivered again as message msg-2' }),
  fault({ fault: 'crash', functionName: 'F1', messageId: 'msg-1', detail: 'the worker died as the invocation arrived: the handler did not run' }),
  // A publish refused while handling m1 (no event id yet: it names its causation).
  fault({ fault: 'throttle', bus: 'b', metadataId: 'm2', causationId: 'm1', detail: 'PutEvents of 1 entry refused as a whole' }),
  accepted('e2', 'm2', 'welcome.sent', 'm1'),
  fault({ fault: 'dynamodb-throttle', table: 'T1', detail: 'PutItem throttled' }),
];

test('a fault with a message id shows in the tree of that message\'s event, naming where it struck', () => {
  const text = renderLineage(buildLineage(records), (n) => (n === 'F1' ? 'welcome' : n === 'Q1' ? 'welcome' : n)).join('\n');
  assert.match(text, /⚡ chaos duplicate at queue welcome: the delete missed a copy: delivered again as message msg-2/);
  assert.match(text, /⚡ chaos crash at function welcome: the worker died as the invocation arrived/);
});

test('a refused publish shows under the event being handled when it was published', () => {
  const [root] = buildLineage(records);
  assert.ok(root!.steps.some((s) => s.kind === 'chaos.fault' && s.fault === 'throttle'));
});

test('a fault only a table knows of is listed apart, not lost', () => {
  const outside = faultsOutsideTrees(records, buildLineage(records));
  assert.deepEqual(outside.map((r) => r.kind === 'chaos.fault' && r.table), ['T1']);
});
