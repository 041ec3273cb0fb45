/**
 * The source queue's maxReceiveCount: a safety net with headroom above maxAttempts, not the
 * attempt limit. The runtime counts a record's attempts itself and dead-letters it with its
 * reason after the last (lib/runtime/attempts/attempt-limit.ts); SQS counts every receive,
 * including those in which the record was not attempted: behind a failing record of an ordered
 * batch, or after the timeout guard stopped a batch. A record at position k of an ordered batch
 * waits behind at most k − 1 earlier records, each handed back up to maxAttempts times before
 * the runtime dead-letters it, then has maxAttempts of its own: k × maxAttempts receives, at most
 * batchSize × maxAttempts. One more maxAttempts of headroom covers receives the runtime never
 * saw end (a crashed or timed-out invocation, a lock held elsewhere). Only for those, or once
 * the count reaches SQS's limit of 1,000, does the redrive move a message, without a reason.
 */
export const MAX_RECEIVE_COUNT_LIMIT = 1000;

export function sourceQueueMaxReceiveCount(maxAttempts: number, batchSize: number): number {
  return Math.min(MAX_RECEIVE_COUNT_LIMIT, maxAttempts * (batchSize + 1));
}
