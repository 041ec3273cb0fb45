/**
 * Per-record state of a record step (record-pipeline.ts, "Per-record state of a step"), kept on
 * the record itself when it can be. The records the batch loop makes (DecodedRecord) carry a few
 * slots, and each RecordSlot owns one for its life: reading or writing it is a property access,
 * where a WeakMap keyed by the record costs a hash-table insert, lookups and a delete for every
 * record. A record made elsewhere (a test's object literal), and every RecordSlot made once the
 * slots are all owned, use a WeakMap instead: same answers, only slower.
 */
import { DecodedRecord, RECORD_SLOTS, type RecordSlotName } from './decoded-record.ts';
import type { RecordContext } from './record-pipeline.ts';

/** Slots owned so far, in this process (a slot is never given to a second RecordSlot). */
let owned = 0;

export class RecordSlot<T> {
  readonly #slot: RecordSlotName | undefined;
  readonly #elsewhere = new WeakMap<RecordContext, T>();

  constructor() {
    this.#slot = owned < RECORD_SLOTS.length ? RECORD_SLOTS[owned++] : undefined;
  }

  get(record: RecordContext): T | undefined {
    return this.#slot !== undefined && record instanceof DecodedRecord ? (record[this.#slot] as T | undefined) : this.#elsewhere.get(record);
  }

  set(record: RecordContext, value: T): void {
    if (this.#slot !== undefined && record instanceof DecodedRecord) record[this.#slot] = value;
    else this.#elsewhere.set(record, value);
  }

  delete(record: RecordContext): void {
    if (this.#slot !== undefined && record instanceof DecodedRecord) record[this.#slot] = undefined;
    else this.#elsewhere.delete(record);
  }
}
