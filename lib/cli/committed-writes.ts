/**
 * The writes a handler committed for an event, read from the journal's `writes.committed`
 * records. The runtime commits a record's `ctx.write`s in one TransactWriteItems with its dedupe
 * mark as the last action (lib/runtime/dedupe/dynamodb-dedupe-store.ts): an Update of the
 * dedupe table's item whose key `pk` is `<subscription>#<metadata.id, else the EventBridge id>`
 * (lib/runtime/dedupe/dedupe-key.ts). That mark names the subscription and the event; the
 * other actions are the handler's writes.
 *
 * A transaction without such a mark is not tied to an event: a subscription with dedupe off
 * (its writes are committed alone), or one whose dedupe key comes from a `keyPath` in the data.
 */
import type { CommittedWrite, WritesCommittedRecord } from '../local/journal/types.ts';

export interface EventWrites {
  readonly subscription: string;
  /** The event's metadata.id, or its EventBridge id, as the dedupe key holds it. */
  readonly eventKey: string;
  /** The handler's writes (the dedupe mark left out). */
  readonly writes: readonly CommittedWrite[];
}

const SUBSCRIPTION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The subscription, event and handler writes of a committed transaction, when it ends with a dedupe mark after at least one write. */
export function eventWrites(record: WritesCommittedRecord): EventWrites | undefined {
  const mark = record.writes.at(-1);
  if (!mark || mark.action !== 'Update' || Object.keys(mark.key).length !== 1 || typeof mark.key.pk !== 'string') return undefined;
  const split = mark.key.pk.indexOf('#');
  const subscription = mark.key.pk.slice(0, split);
  if (split < 1 || !SUBSCRIPTION.test(subscription)) return undefined;
  const writes = record.writes.slice(0, -1);
  return writes.length > 0 ? { subscription, eventKey: mark.key.pk.slice(split + 1), writes } : undefined;
}

/** `Put Greetings {name=Ada}, Delete Stock {sku=A-1}`. */
export function describeWrites(writes: readonly CommittedWrite[]): string {
  return writes.map((w) => `${w.action} ${w.table} {${Object.entries(w.key).map(([k, v]) => `${k}=${v}`).join(', ')}}`).join(', ');
}
