/**
 * Recovery and snapshots of the SQS state (sqs-state.ts): a restart replays the logged records,
 * then builds the queues' indexes once; a snapshot writes the whole state as the same records.
 */
import { isSqsRecord, storedOf, type SqsRecord, type SqsState } from './sqs-state.ts';

/** Apply one recovered record; returns false if it is not an SQS record. */
export function applyRecovered(state: SqsState, record: { t?: unknown }): boolean {
  if (!isSqsRecord(record)) return false;
  state.apply(record, state.clock.now());
  return true;
}

/** After recovery: build indexes; optionally make in-flight messages visible again. */
export function finishRecovery(state: SqsState, inFlight: 'release' | 'keep'): void {
  const now = state.clock.now();
  for (const queue of state.queues.values()) {
    if (inFlight === 'release') {
      for (const m of queue.messages.values()) if (m.rc > 0 && m.avail > now) m.avail = now;
    }
    queue.pruneDedupe(now);
    queue.rebuild(now);
  }
  state.live = true;
}

/** The whole state as records (for a snapshot). */
export function* snapshotRecords(state: SqsState): Generator<SqsRecord> {
  for (const queue of state.queues.values()) {
    yield { t: 'queue', name: queue.name, attributes: queue.attributes, createdAt: queue.createdAt, internal: queue.internal || undefined };
    if (Object.keys(queue.tags).length > 0) yield { t: 'tags', q: queue.name, tags: queue.tags };
    for (const [key, entry] of queue.dedupe) yield { t: 'dedupe', q: queue.name, key, id: entry.id, seq: entry.seq, until: entry.until };
    for (const m of queue.messages.values()) yield { t: 'send', q: queue.name, m: storedOf(m) };
  }
}
