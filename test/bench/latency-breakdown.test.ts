import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { eventSteps, formatBreakdownSteps, latencyBreakdown, type TracedEvent } from '../../bench/lib/latency-breakdown.ts';

const T0 = Date.parse('2026-12-07T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** An event published at 0 whose one hop spends `queueMs` on the queue and 2 ms in the handler. */
function event(queueMs: number): TracedEvent {
  const records = [
    { kind: 'event.accepted', seq: 1, at: at(1), eventId: 'e', bus: 'b', source: 's', event: {} },
    { kind: 'delivery.enqueued', seq: 2, at: at(2), queue: 'q', messageId: 'm', via: 'r' },
    { kind: 'delivery.received', seq: 3, at: at(2 + queueMs), queue: 'q', messageId: 'm', receiveCount: 1 },
  ] as unknown as JournalRecord[];
  return { sentAt: T0, doneAt: T0 + 2 + queueMs + 2, records };
}

test("an event's steps are the gaps between its journal records, and add up to its latency", () => {
  const steps = eventSteps(event(10));
  assert.deepEqual(Object.fromEntries(steps), {
    'publish → event.accepted': 1,
    'event.accepted → delivery.enqueued': 1,
    'delivery.enqueued → delivery.received': 10,
    'delivery.received → done': 2,
  });
  assert.equal([...steps.values()].reduce((a, b) => a + b, 0), 14);
});

test('records outside the publish-to-done window are not part of the latency', () => {
  const e = event(10);
  const late = { kind: 'delivery.deleted', seq: 4, at: at(500), queue: 'q', messageId: 'm' } as unknown as JournalRecord;
  assert.equal(eventSteps({ ...e, records: [...e.records, late] }).has('delivery.received → delivery.deleted'), false);
});

test('the breakdown puts first the step the slowest events spend most on', () => {
  const events = [...Array.from({ length: 99 }, () => event(1)), event(200)];
  const [first] = latencyBreakdown(events, 0.01);
  assert.equal(first!.step, 'delivery.enqueued → delivery.received');
  assert.equal(first!.tailMs, 200);
  assert.equal(first!.allMs, (99 * 1 + 200) / 100);
});

test('the sentence names each step with its mean over all events and over the slowest', () => {
  assert.equal(formatBreakdownSteps([{ step: 'a → b', allMs: 1, tailMs: 12 }]), 'a → b 1.0 ms (slowest: 12.0 ms)');
});
