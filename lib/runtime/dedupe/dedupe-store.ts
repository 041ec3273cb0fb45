/**
 * The contract between the dedupe coordinator and a place that remembers which
 * events were handled: DynamoDB in Lambda ({@link DynamoDbDedupeStore}), memory in
 * benchmarks and pipeline unit tests ({@link InMemoryDedupeStore}).
 *
 * A key is in one of four states: absent (never seen, or its record expired),
 * IN_PROGRESS (an attempt holds the lock until `lockExpiresAt`), PUBLISHING (the handler's
 * writes are committed and its events wait in the record, `parkedEvents`, until they are sent;
 * the lock still says who sends them), COMPLETED (done; duplicates are suppressed until
 * `expiresAt`). Expiry is always judged against the caller's clock in code, never left to TTL
 * deletion.
 */

import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';

export type DedupeStatus = 'IN_PROGRESS' | 'PUBLISHING' | 'COMPLETED';

export interface AcquireRequest {
  /** Epoch ms now, by the caller's clock. */
  readonly nowMs: number;
  /** Epoch ms at which the lock lapses: the invocation's deadline, so a crashed attempt does not block retries. */
  readonly lockExpiresAtMs: number;
}

export interface CompleteRequest {
  readonly nowMs: number;
  /** Epoch ms until which the COMPLETED record suppresses duplicates. */
  readonly expiresAtMs: number;
}

/** The lock is ours: run the handler, then call complete() or release() with the token. */
export interface LockAcquired {
  readonly outcome: 'acquired';
  readonly token: string;
  /**
   * Set when the key was PUBLISHING and its lock had lapsed (the attempt that committed the
   * writes crashed or failed to send): the lock is now ours to send these events (as parked),
   * then complete(). The handler must not run again: its writes are committed.
   */
  readonly parkedEvents?: string;
}

/** The key was already handled successfully: skip the handler. */
export interface AlreadyCompleted {
  readonly outcome: 'completed';
  /** Epoch ms the first successful attempt finished. */
  readonly processedAtMs: number;
  /** Epoch ms the COMPLETED record stops suppressing duplicates. */
  readonly expiresAtMs: number;
}

/** Another attempt holds a live lock (a concurrent delivery): the record must come back later. */
export interface HeldElsewhere {
  readonly outcome: 'in-progress';
  readonly lockExpiresAtMs: number;
}

export type AcquireResult = LockAcquired | AlreadyCompleted | HeldElsewhere;

export interface DedupeStore {
  /** Takes the lock for `key` unless a live IN_PROGRESS or unexpired COMPLETED record holds it. */
  acquire(key: string, request: AcquireRequest): Promise<AcquireResult>;
  /**
   * Marks our lock COMPLETED. Resolves false when the lock is no longer ours (it
   * expired and another attempt took it), so the caller can say so in its log.
   *
   * With `writes` (the handler's declared DynamoDB writes, ctx.write), commits them and the
   * mark in ONE transaction: both happen or neither. Resolves false when the lock was lost
   * (nothing applied); rejects with EffectsCanceledError when a write's own condition
   * cancelled it, EffectsRejectedError when DynamoDB refused the request, DedupeStoreError
   * when the store could not be reached.
   */
  complete(key: string, token: string, request: CompleteRequest, writes?: readonly TransactWriteItem[]): Promise<boolean>;
  /**
   * Commits the handler's `writes` and turns our IN_PROGRESS record into PUBLISHING with the
   * events to send (`parkedEvents`), in ONE transaction, keeping our lock; `request.expiresAtMs`
   * is how long the parked record lives. Resolves false when the lock was lost (nothing
   * applied); rejects like complete() with writes. Send the events, then complete().
   */
  park(key: string, token: string, request: CompleteRequest, writes: readonly TransactWriteItem[], parkedEvents: string): Promise<boolean>;
  /**
   * Gives our lock up so a retry runs at once: an IN_PROGRESS record is deleted; with
   * `parked`, a PUBLISHING record is kept (its writes are committed, its events still to send)
   * and only its lock lapses. A lock that is no longer ours is left alone.
   */
  release(key: string, token: string, options?: { readonly parked?: boolean }): Promise<void>;
}

/**
 * The store could not be reached or refused the call (network error, throttling,
 * missing table, access denied). The record must fail and be retried; the
 * handler never runs without the lock.
 */
export class DedupeStoreError extends Error {
  override readonly name = 'DedupeStoreError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}
