import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedRecord, RECORD_SLOTS, type DecodedRecordFields } from '../../lib/runtime/decoded-record.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { RecordSlot } from '../../lib/runtime/record-slot.ts';
import type { RecordContext } from '../../lib/runtime/record-pipeline.ts';

const FIELDS: DecodedRecordFields = {
  subscription: 'reserve', flow: 'shop', delivery: 'queue', topic: 'order.placed', eventId: 'evt-1',
  event: { id: 'eb-1', 'detail-type': 'order.placed', source: 'shop', time: '2026-12-07T12:00:00Z', detail: {} } as RecordContext['event'],
  enveloped: true, metadata: {}, data: {}, correlationId: 'evt-1', attempt: 1,
  messageId: 'msg-1', transport: undefined, deadline: { remainingMs: () => 1, remainingBeforeGuardMs: () => 1, signal: new AbortController().signal },
};
const decoded = (): DecodedRecord => new DecodedRecord(FIELDS, createLogger('silent', () => undefined), undefined);
const literal = (): RecordContext => ({ ...FIELDS, eventBridgeId: 'eb-1', logger: createLogger('silent', () => undefined) });

// More RecordSlots than a DecodedRecord has slots, so the later ones keep their state elsewhere.
const slots = Array.from({ length: RECORD_SLOTS.length + 2 }, () => new RecordSlot<string>());

test('each slot keeps its own value per record, on records the batch loop makes and on any other', () => {
  for (const record of [decoded(), literal()]) {
    slots.forEach((slot, i) => slot.set(record, `value ${i}`));
    assert.deepEqual(slots.map((slot) => slot.get(record)), slots.map((_, i) => `value ${i}`));
  }
});

test("a value set for one record is not another record's", () => {
  for (const make of [decoded, literal]) {
    const [a, b] = [make(), make()];
    for (const slot of slots) slot.set(a, 'a');
    assert.deepEqual(slots.map((slot) => slot.get(b)), slots.map(() => undefined));
  }
});

test('a deleted value is gone, and the other slots keep theirs', () => {
  for (const record of [decoded(), literal()]) {
    for (const slot of slots) slot.set(record, 'kept');
    slots[0]!.delete(record);
    slots.at(-1)!.delete(record);
    assert.deepEqual(slots.map((slot) => slot.get(record)), [undefined, ...slots.slice(1, -1).map(() => 'kept'), undefined]);
  }
});
