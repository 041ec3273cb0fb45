/**
 * Runs a handler at most once per dedupe key, over a store's lock:
 *
 *   key in the COMPLETED cache or store → duplicate: skip the handler, succeed the record
 *   lock taken                          → run the handler; success → COMPLETED, failure → lock released, error rethrown
 *   lock of a PUBLISHING record taken   → no handler: its writes are committed; send its parked events, then COMPLETED
 *   live lock held elsewhere            → DedupeInProgressError: the record fails and comes back after its visibility timeout
 *   store unreachable or throttled      → DedupeStoreError: the record fails; the handler never runs without the lock
 *
 * Two records with the same key in flight in this container (an in-batch
 * duplicate, or parallel records) do not race each other for the lock: the later
 * one waits for the earlier one's outcome and is then a duplicate (it succeeded)
 * or runs (it failed and released the lock).
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../handler-types.ts';
import { CompletedKeyCache, type CompletedEntry } from './completed-key-cache.ts';
import type { DedupeStore } from './dedupe-store.ts';

// Written as a literal: esbuild drops an unused literal from a bundle, not an unused product.
export const DEFAULT_DEDUPE_TTL_SECONDS = 86_400; // 24 h
export const DEFAULT_COMPLETED_CACHE_SIZE = 1_000;

export interface DedupeCoordinatorOptions {
  readonly store: DedupeStore;
  /**
   * How long a COMPLETED record suppresses duplicates.
   * @default 86400 (24 hours)
   */
  readonly ttlSeconds?: number;
  /**
   * COMPLETED keys remembered in this container's memory (0 turns the cache off).
   * @default 1000
   */
  readonly cacheSize?: number;
  /** Where duplicate lines and store warnings go. @default - no logging */
  readonly logger?: Logger;
  /**
   * Write the `duplicate event skipped: first processed at …` info line. The runtime's
   * dedupe step turns it off: its record outcome line already carries that reason.
   * @default true
   */
  readonly logDuplicates?: boolean;
  /** Called once per duplicate skipped (for a metric when used outside the runtime, whose pipeline counts `Duplicate` itself). */
  readonly onDuplicate?: (duplicate: DuplicateInfo) => void;
  /** Epoch-ms clock; tests move it to expire locks and records. @default Date.now */
  readonly now?: () => number;
}

export interface BeginOptions {
  /** Epoch ms of the invocation's deadline: the lock lapses then, so a crashed attempt does not block retries. */
  readonly deadlineMs: number;
  /** This record's logger (for the duplicate line and store warnings). @default - the coordinator's logger */
  readonly logger?: Logger;
}

export interface DuplicateInfo {
  readonly key: string;
  /** ISO-8601 time the first successful attempt finished. */
  readonly firstProcessedAt: string;
  /** Whether this container's cache recognised it, or the store did. */
  readonly seenBy: 'cache' | 'store';
}

/** The lock is ours: run the handler, then settle the lease exactly once. */
export interface DedupeLease {
  readonly key: string;
  /**
   * The handler succeeded: mark the key COMPLETED. Without `writes` it never throws (a store
   * failure is logged: the handler's own effect already happened).
   *
   * With `writes` (the handler's declared DynamoDB writes), they and the mark are committed in
   * one transaction, and it rejects when nothing was applied, after releasing the lock:
   * DedupeLockLostError (the lock lapsed and another attempt took it), EffectsCanceledError
   * (a write's own condition failed), EffectsRejectedError, DedupeStoreError. The record must
   * then fail; its retry finds the key COMPLETED if the commit did happen after all.
   */
  succeed(writes?: readonly TransactWriteItem[]): Promise<void>;
  /**
   * Commits the handler's `writes` and parks its events (`parkedEvents`) in the dedupe record
   * (PUBLISHING) in one transaction, keeping the lock: send the events, then succeed() (no
   * writes). Rejects like succeed(writes) when nothing was applied, after releasing the lock.
   */
  park(writes: readonly TransactWriteItem[], parkedEvents: string): Promise<void>;
  /**
   * The handler (or the send of parked events) failed: give the lock up so the retry runs at
   * once. A parked record is kept, its events to be sent by the retry. Never throws (the lock
   * lapses at the deadline anyway).
   */
  fail(): Promise<void>;
  /**
   * The attempt is given up without touching the store: the lock stays until its
   * deadline. For a handler the timeout guard aborted, whose promise may still be
   * running: releasing the lock would let a retry run beside it.
   */
  abandon(): void;
  /** true once succeed(), fail() or abandon() was called. */
  readonly settled: boolean;
}

export type BeginResult =
  /**
   * `parkedEvents`: an earlier attempt committed its writes and parked these events without
   * confirming them sent; do not run the handler: send them, then `lease.succeed()`.
   */
  | { readonly outcome: 'run'; readonly lease: DedupeLease; readonly parkedEvents?: string }
  | ({ readonly outcome: 'duplicate' } & DuplicateInfo);

export type DedupeResult = { readonly outcome: 'ran' } | ({ readonly outcome: 'duplicate' } & DuplicateInfo);

/** A concurrent delivery of the same key holds a live lock; the record must fail and come back later. */
export class DedupeInProgressError extends Error {
  override readonly name = 'DedupeInProgressError';
  readonly key: string;
  /** ISO-8601 time the holder's lock lapses. */
  readonly lockExpiresAt: string;
  readonly lockExpiresAtMs: number;
  constructor(key: string, lockExpiresAtMs: number) {
    const lockExpiresAt = new Date(lockExpiresAtMs).toISOString();
    super(
      `dedupe: key "${key}" is being processed by another invocation (locked until ${lockExpiresAt}); ` +
        `the record is retried after its visibility timeout`,
    );
    this.key = key;
    this.lockExpiresAt = lockExpiresAt;
    this.lockExpiresAtMs = lockExpiresAtMs;
  }
}

/** The lock lapsed before the handler's writes were committed, and another attempt took it: nothing was applied. */
export class DedupeLockLostError extends Error {
  override readonly name = 'DedupeLockLostError';
  readonly key: string;
  constructor(key: string, lockExpiresAtMs: number) {
    super(
      `dedupe: the lock on key "${key}" lapsed at ${new Date(lockExpiresAtMs).toISOString()} before the writes were committed ` +
        `and another attempt took it; none applied, the record is retried`,
    );
    this.key = key;
  }
}

export class DedupeCoordinator {
  readonly ttlSeconds: number;
  readonly #store: DedupeStore;
  readonly #cache: CompletedKeyCache;
  readonly #logger: Logger | undefined;
  readonly #onDuplicate: ((duplicate: DuplicateInfo) => void) | undefined;
  readonly #logDuplicates: boolean;
  readonly #now: () => number;
  /** The attempt holding each key in this container, until it settles. */
  readonly #inFlight = new Map<string, Attempt>();
  /** What a lease does to settle, made once per coordinator (not per record). */
  readonly #ops: AttemptOps = {
    release: (attempt) => {
      if (this.#inFlight.get(attempt.key) === attempt) this.#inFlight.delete(attempt.key);
    },
    // Without writes (most records) #complete is the lease's whole promise: no async frame around it.
    succeed: (attempt, writes) => (writes && writes.length > 0 ? this.#commitThenDone(attempt, writes) : this.#complete(attempt)),
    park: (attempt, writes, parkedEvents) => this.#commit(attempt, writes, parkedEvents),
    fail: async (attempt) => {
      try {
        await this.#release(attempt.key, attempt.token, attempt.logger, attempt.parked);
      } finally {
        attempt.done();
      }
    },
  };

  constructor(options: DedupeCoordinatorOptions) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new RangeError(`dedupe: ttlSeconds must be a positive number of seconds (default 86400), got ${ttlSeconds}`);
    }
    if (options.store === undefined) throw new TypeError('dedupe: a store is required (DynamoDbDedupeStore in Lambda)');
    this.ttlSeconds = ttlSeconds;
    this.#store = options.store;
    this.#cache = new CompletedKeyCache(options.cacheSize ?? DEFAULT_COMPLETED_CACHE_SIZE);
    this.#logger = options.logger;
    this.#onDuplicate = options.onDuplicate;
    this.#logDuplicates = options.logDuplicates ?? true;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Runs `handler` unless `key` was already handled. Resolves `ran` or `duplicate`;
   * rejects with the handler's error (lock released), DedupeInProgressError or
   * DedupeStoreError (handler not run): in every rejection the record must fail.
   */
  async execute(key: string, options: BeginOptions, handler: () => Promise<void>): Promise<DedupeResult> {
    const begun = await this.begin(key, options);
    if (begun.outcome === 'duplicate') return begun;
    try {
      await handler();
    } catch (error) {
      await begun.lease.fail();
      throw error;
    }
    await begun.lease.succeed();
    return { outcome: 'ran' };
  }

  /**
   * The first half of {@link execute}, for pipelines that run the handler themselves:
   * `run` hands over a lease that must be settled with succeed() or fail(); until
   * then, a second record with the same key in this container waits for it.
   * Rejects with DedupeInProgressError or DedupeStoreError when the handler must not run.
   */
  async begin(key: string, options: BeginOptions): Promise<BeginResult> {
    if (!Number.isFinite(options.deadlineMs)) {
      throw new TypeError(`dedupe: deadlineMs must be the invocation's deadline in epoch ms, got ${options.deadlineMs}`);
    }
    // An in-batch duplicate waits for the earlier record's outcome instead of
    // failing on its lock; loop, since another waiter may have gone first.
    for (let prior = this.#inFlight.get(key); prior !== undefined; prior = this.#inFlight.get(key)) {
      await prior.whenSettled();
    }
    // One object per record is the in-flight marker, the waiters' hook and (if the lock is
    // taken) the lease: no closures or separate lease object per record on the hot path.
    const attempt = new Attempt(this.#ops, key, options.deadlineMs, options.logger ?? this.#logger);
    this.#inFlight.set(key, attempt);
    // One async frame for the lookup and the lock (this runs once per record).
    try {
      const nowMs = this.#now();
      const cached = this.#cache.get(key, nowMs);
      if (cached) {
        attempt.done();
        return this.#duplicate(key, cached, 'cache', attempt.logger);
      }
      const lock = await this.#store.acquire(key, { nowMs, lockExpiresAtMs: options.deadlineMs });
      if (lock.outcome === 'completed') {
        this.#cache.set(key, lock);
        attempt.done();
        return this.#duplicate(key, lock, 'store', attempt.logger);
      }
      if (lock.outcome === 'in-progress') throw new DedupeInProgressError(key, lock.lockExpiresAtMs);
      attempt.token = lock.token;
      if (lock.parkedEvents === undefined) return { outcome: 'run', lease: attempt };
      attempt.parked = true;
      return { outcome: 'run', lease: attempt, parkedEvents: lock.parkedEvents };
    } catch (error) {
      attempt.done();
      throw error;
    }
  }

  /** Marks the attempt's key COMPLETED (a store failure is logged, never thrown), then frees it in this container. */
  async #complete(attempt: Attempt): Promise<void> {
    const { key, token, deadlineMs, logger } = attempt;
    const processedAtMs = this.#now();
    const expiresAtMs = processedAtMs + this.ttlSeconds * 1000;
    // Cached before the store write: should that write fail, this container still skips duplicates.
    this.#cache.set(key, { processedAtMs, expiresAtMs });
    try {
      const stillOurs = await this.#store.complete(key, token, { nowMs: processedAtMs, expiresAtMs });
      if (!stillOurs) {
        logger?.warn('dedupe: the lock lapsed before the handler finished and another attempt took it; the effect may have run twice', {
          dedupeKey: key,
          lockExpiresAt: new Date(deadlineMs).toISOString(),
        });
      }
    } catch (error) {
      // The effect happened: failing the record now would only make a retry run it again
      // once the lock lapses. Succeed it and say the store missed the COMPLETED mark.
      logger?.error('dedupe: handler succeeded but marking it COMPLETED failed; a redelivery after the lock lapses would run it again', {
        dedupeKey: key,
        error: describe(error),
      });
    } finally {
      attempt.done();
    }
  }

  async #commitThenDone(attempt: Attempt, writes: readonly TransactWriteItem[]): Promise<void> {
    try {
      await this.#commit(attempt, writes);
    } finally {
      attempt.done();
    }
  }

  /**
   * The handler's writes and the record's mark in one transaction: COMPLETED (cached only once
   * committed), or, with `parkedEvents`, PUBLISHING with the events to send (the lease stays open).
   */
  async #commit(attempt: Attempt, writes: readonly TransactWriteItem[], parkedEvents?: string): Promise<void> {
    const { key, token } = attempt;
    const processedAtMs = this.#now();
    const expiresAtMs = processedAtMs + this.ttlSeconds * 1000;
    let ours: boolean;
    try {
      ours = parkedEvents === undefined
        ? await this.#store.complete(key, token, { nowMs: processedAtMs, expiresAtMs }, writes)
        : await this.#store.park(key, token, { nowMs: processedAtMs, expiresAtMs }, writes, parkedEvents);
    } catch (error) {
      // Nothing was applied (or, if the answer was lost, the key is COMPLETED or PUBLISHING and
      // the release's conditions leave it alone): free the lock so the retry runs at once.
      await this.#release(key, token, attempt.logger);
      throw error;
    }
    if (!ours) throw new DedupeLockLostError(key, attempt.deadlineMs);
    if (parkedEvents === undefined) this.#cache.set(key, { processedAtMs, expiresAtMs });
    else attempt.parked = true;
  }

  async #release(key: string, token: string, logger: Logger | undefined, parked = false): Promise<void> {
    try {
      await this.#store.release(key, token, parked ? { parked } : undefined);
    } catch (error) {
      // The handler's own error is what the record fails with; the lock lapses at the deadline anyway.
      logger?.warn('dedupe: could not release the lock after the handler failed; the retry waits for the lock to lapse', {
        dedupeKey: key,
        error: describe(error),
      });
    }
  }

  #duplicate(key: string, entry: CompletedEntry, seenBy: DuplicateInfo['seenBy'], logger: Logger | undefined): BeginResult {
    const info: DuplicateInfo = { key, firstProcessedAt: new Date(entry.processedAtMs).toISOString(), seenBy };
    if (this.#logDuplicates) {
      logger?.info(duplicateMessage(info), { dedupeKey: key, firstProcessedAt: info.firstProcessedAt, seenBy });
    }
    this.#onDuplicate?.(info);
    return { outcome: 'duplicate', ...info };
  }
}

/**
 * An attempt holding a key in this container: the in-flight marker a second record with the
 * same key waits on, and, once the lock is taken, the lease. The promise a waiter awaits is
 * made only when one waits (an in-batch duplicate): most attempts are never waited for.
 */
interface AttemptOps {
  /** The attempt no longer holds its key in this container. */
  release(attempt: Attempt): void;
  succeed(attempt: Attempt, writes: readonly TransactWriteItem[] | undefined): Promise<void>;
  park(attempt: Attempt, writes: readonly TransactWriteItem[], parkedEvents: string): Promise<void>;
  fail(attempt: Attempt): Promise<void>;
}

class Attempt implements DedupeLease {
  /** The store's lock token, once acquired. */
  token = '';
  /** The record is PUBLISHING: the writes are committed, the events wait in it. */
  parked = false;
  /** true once the lease was settled (succeed, fail, abandon). */
  #leaseSettled = false;
  /** true once the attempt no longer holds the key in this container. */
  finished = false;
  #waiting: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    readonly ops: AttemptOps,
    readonly key: string,
    readonly deadlineMs: number,
    readonly logger: Logger | undefined,
  ) {}

  get settled(): boolean {
    return this.#leaseSettled;
  }

  succeed(writes?: readonly TransactWriteItem[]): Promise<void> {
    if (this.#leaseSettled) return Promise.resolve();
    this.#leaseSettled = true;
    return this.ops.succeed(this, writes);
  }

  async park(writes: readonly TransactWriteItem[], parkedEvents: string): Promise<void> {
    if (this.#leaseSettled) throw new Error(`dedupe: the lease on key "${this.key}" is already settled`);
    try {
      await this.ops.park(this, writes, parkedEvents);
    } catch (error) {
      // Nothing was applied and the lock is released: the lease is over.
      this.#leaseSettled = true;
      this.done();
      throw error;
    }
  }

  fail(): Promise<void> {
    if (this.#leaseSettled) return Promise.resolve();
    this.#leaseSettled = true;
    return this.ops.fail(this);
  }

  abandon(): void {
    if (this.#leaseSettled) return;
    this.#leaseSettled = true;
    this.done();
  }

  /** The key is free in this container again: wake whoever waits for it. */
  done(): void {
    this.ops.release(this);
    this.finished = true;
    this.#wake?.();
  }

  /** Resolves (never rejects) once the attempt no longer holds the key. */
  whenSettled(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return (this.#waiting ??= new Promise<void>((resolve) => (this.#wake = resolve)));
  }
}

/** The line (or skip reason) that names a duplicate's first processing time. */
export function duplicateMessage(info: DuplicateInfo): string {
  return `duplicate event skipped: first processed at ${info.firstProcessedAt}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
