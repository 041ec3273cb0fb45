/**
 * The local engine's own figure for "age of the oldest message" of a queue, read from its
 * journal: every message is followed from queue to queue by id (enqueued, dead-lettered,
 * moved back by a move task, deleted); the oldest one still on the queue gives the age, counted
 * from when it arrived there. The journal does not record purges or retention expiry, so a
 * message that left that way still counts until the queue is next written to by it.
 */
import type { JournalRecord } from '../local/journal/types.ts';

/** Seconds since the oldest message still on each queue arrived there, by queue name. */
export function oldestMessageAges(records: readonly JournalRecord[], now: number): Map<string, number> {
  const where = new Map<string, { queue: string; since: number }>();
  for (const r of records) {
    const at = Date.parse(r.at);
    if (r.kind === 'delivery.enqueued') where.set(r.messageId, { queue: r.queue, since: at });
    else if (r.kind === 'delivery.dead-lettered') where.set(r.messageId, { queue: r.deadLetterQueue, since: at });
    else if (r.kind === 'delivery.deleted' && where.get(r.messageId)?.queue === r.queue) where.delete(r.messageId);
  }
  const oldest = new Map<string, number>();
  for (const { queue, since } of where.values()) {
    const age = Math.max(0, Math.floor((now - since) / 1000));
    if (age > (oldest.get(queue) ?? -1)) oldest.set(queue, age);
  }
  return oldest;
}
