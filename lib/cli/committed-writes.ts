/**
 * The writes a handler committed for an event, read from the journal's `table.written` records
 * of TransactWriteItems. The runtime commits a record's `ctx.write`s in one TransactWriteItems
 * with its dedupe mark as the last action (lib/runtime/dedupe/dynamodb-dedupe-store.ts): an
 * Update of the dedupe table's item whose key `pk` is `<subscription>#<metadata.id, else the
 * EventBridge id>` (lib/runtime/dedupe/dedupe-key.ts). That mark names the subscription and the
 * event; the other items are the handler's writes.
 *
 * A transaction without such a mark is not tied to an event: a subscription with dedupe off
 * (its writes are committed alone), or one whose dedupe key comes from a `keyPath` in the data.
 */
import type { TableWrittenRecord } from '../local/journal/types.ts';

/** One item a handler's transaction wrote, its key as plain values. */
export interface EventWrite {
  readonly table: string;
  readonly op: 'Put' | 'Update' | 'Delete';
  /** The key attributes: strings as they are, numbers as numbers, binary as base64. */
  readonly key: Readonly<Record<string, string | number>>;
}

export interface EventWrites {
  readonly subscription: string;
  /** The event's metadata.id, or its EventBridge id, as the dedupe key holds it. */
  readonly eventKey: string;
  /** The handler's writes (the dedupe mark left out). */
  readonly writes: readonly EventWrite[];
}

const SUBSCRIPTION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The subscription, event and handler writes of a committed transaction, when it ends with a dedupe mark after at least one write. */
export function eventWrites(record: TableWrittenRecord): EventWrites | undefined {
  if (record.action !== 'TransactWriteItems' || record.items.length < 2) return undefined;
  const last = record.items.at(-1)!;
  const mark = plainKey(last.key);
  if (last.op !== 'Update' || Object.keys(mark).length !== 1 || typeof mark.pk !== 'string') return undefined;
  const split = mark.pk.indexOf('#');
  const subscription = mark.pk.slice(0, split);
  if (split < 1 || !SUBSCRIPTION.test(subscription)) return undefined;
  const writes = record.items.slice(0, -1).map((item) => ({ table: item.table, op: item.op, key: plainKey(item.key) }));
  return { subscription, eventKey: mark.pk.slice(split + 1), writes };
}

/** `Put Greetings {name=Ada}, Delete Stock {sku=A-1}`. */
export function describeWrites(writes: readonly EventWrite[]): string {
  return writes.map((w) => `${w.op} ${w.table} {${Object.entries(w.key).map(([k, v]) => `${k}=${v}`).join(', ')}}`).join(', ');
}

/** A key as the journal keeps it (DynamoDB JSON, e.g. `{"pk":{"S":"a"}}`) as plain values (`{ pk: 'a' }`). */
function plainKey(json: string): Record<string, string | number> {
  const key: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(JSON.parse(json) as Record<string, Record<string, string> | null>)) {
    key[name] = value?.['N'] !== undefined ? Number(value['N']) : value?.['S'] ?? value?.['B'] ?? '';
  }
  return key;
}
