/**
 * What a consumer does with a received message through its receipt handle: DeleteMessage and
 * ChangeMessageVisibility. Which handles still count is decided in receipt-handle.ts.
 */
import { SqsError, invalidParameter } from './errors.ts';
import { handleFor, isCurrent, notAvailableForVisibilityChange, receiptHandleExpired } from './receipt-handle.ts';
import { randomUUID } from 'node:crypto';
import { storedOf, type SqsState } from './sqs-state.ts';
import type { LiveMessage, Queue, StoredMessage } from './queue.ts';

/** A message's visibility can be extended to at most 12 hours after it was received. */
const MAX_VISIBILITY_MS = 43_200 * 1000;

/**
 * DeleteMessage. Only the handle of the message's latest receive deletes it; what an older
 * handle gets depends on the queue type (see receipt-handle.ts).
 */
export function deleteMessage(state: SqsState, queueRef: string, receiptHandle: string): void {
  const queue = state.get(queueRef);
  const handle = handleFor(queue.name, receiptHandle);
  const m = queue.messages.get(handle.id);
  if (!m) return; // already deleted: SQS answers success
  const now = state.clock.now();
  const current = isCurrent(handle, m);
  // FIFO: the handle expired with its visibility timeout (and the message may be another
  // consumer's by now): refused, and the message stays.
  if (queue.fifo && (!current || m.avail <= now)) throw receiptHandleExpired(receiptHandle);
  // Standard: an older handle succeeds, but does not delete the message received since.
  if (!current) return;
  state.commit({ t: 'del', q: queue.name, id: m.id }, now);
  state.observer.deleted?.(queue, m);
  if (queue.fifo) queue.signal(now); // the group behind it may be free now
  const copied = state.faults?.leavesCopy(queue, m);
  if (copied) copied(leaveCopy(state, queue, m, now));
}

/**
 * A copy of a deleted message, visible at once: what a standard queue delivers again when the
 * server holding one copy missed the delete. It starts a receive count of its own (its own
 * MessageId), so redrive counts its deliveries apart from the original's. Returns its id.
 */
function leaveCopy(state: SqsState, queue: Queue, m: LiveMessage, now: number): string {
  const { receipt: _receipt, first: _first, ...stored } = storedOf(m);
  const copy: StoredMessage = { ...stored, id: randomUUID(), rc: 0, avail: now, copyOf: m.id };
  state.commit({ t: 'send', q: queue.name, m: copy }, now);
  state.observer.enqueued?.(queue, copy, 'chaos:duplicate');
  queue.signal(now);
  return copy.id;
}

export function changeVisibility(state: SqsState, queueRef: string, receiptHandle: string, seconds: number): void {
  const queue = state.get(queueRef);
  const handle = handleFor(queue.name, receiptHandle);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
    throw invalidParameter(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: must be an integer from 0 to 43200.`);
  }
  const now = state.clock.now();
  const m = queue.messages.get(handle.id);
  // A handle of an earlier receive must not move the lease of the consumer holding it now.
  if (m && !isCurrent(handle, m) && m.rc > 0) throw notAvailableForVisibilityChange(receiptHandle);
  if (!m || m.avail <= now || m.rc === 0) {
    throw new SqsError('MessageNotInflight', `Message ${handle.id} is not in flight on queue ${queue.name} (it was deleted, or its visibility timeout ran out).`);
  }
  const leaseStart = m.leaseStart ?? now;
  if (Math.floor((now - leaseStart) / 1000) * 1000 + seconds * 1000 > MAX_VISIBILITY_MS) {
    throw invalidParameter(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds] (it was received ${Math.round((now - leaseStart) / 1000)} s ago).`);
  }
  state.commit({ t: 'vis', q: queue.name, id: m.id, avail: now + seconds * 1000 }, now);
  if (seconds === 0) queue.signal(now);
  else queue.scheduleWake(now);
}
