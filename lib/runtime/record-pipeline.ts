/**
 * The per-record pipeline: what runs for each record of a batch, inside one Lambda invocation.
 *
 * Invocation-level concerns (timeout guard, envelope detection, DLQ sends, backoff, the partial
 * batch response, metrics) are middy middlewares. Per-record concerns cannot be middy
 * middlewares, because one invocation carries up to 10 (or more) records that each succeed or
 * fail on their own; so the batch loop (batch-processor.ts) runs this pipeline once per record:
 *
 *     decode (envelope) ─► step₁.before ─► step₂.before ─► … ─► user handler
 *                                                                │ success      │ failure
 *                          stepₙ.after … step₁.after  ◄──────────┘              │
 *                          stepₙ.onError … step₁.onError  ◄─────────────────────┘
 *                          every step's settle(outcome)  (always, last)
 *
 * Between decode and the first step, the batch loop decrypts the fields the topic's schema marks
 * `"x-busline-pii": "encrypt"` (batch-processor.ts, pii-crypto.ts), so every step and the handler
 * see the plaintext in `record.data`; a record whose field cannot be decrypted never enters the
 * pipeline (DLQ with PiiDecryptionError, or a retry when KMS may recover).
 *
 * Steps, in order: tracing (span and outcome log line), validation (schema check of `data`),
 * dedupe (lib/runtime/dedupe, unless the subscription opts out), then the steps passed in
 * `WrapOptions.recordSteps`, then the user handler.
 *
 * ## Writing a RecordStep (e.g. dedupe)
 *
 * `before(record)` gets a {@link RecordContext}: the dedupe key inputs (`subscription`,
 * `eventId` = metadata.id or else the EventBridge id, `eventBridgeId`, `data`, `topic`), the
 * attempt number and the invocation deadline (`record.deadline.remainingMs()`, which reads
 * `context.getRemainingTimeInMillis()`, and `record.deadline.signal`). It returns:
 *   - nothing                    → continue with the next step, then the handler;
 *   - `skipRecord(reason)`       → do not run the handler; the record SUCCEEDS as a duplicate
 *                                  (outcome `duplicate`, counted in the Duplicate metric);
 *   - `retryRecord(error, s?)`   → do not run the handler; the record FAILS and is retried later
 *                                  (optionally after `s` seconds of visibility instead of the
 *                                  retry policy's backoff); the failure counts as an attempt;
 *   - `deferRecord(error, s)`    → the record comes back after `s` seconds WITHOUT using up an
 *                                  attempt: it was not this delivery's to run (e.g. "another
 *                                  worker holds the lock");
 *   - `rejectRecord(error)`      → the record can never succeed: straight to the DLQ with reason.
 * Throwing from `before` is the same as `retryRecord(error)`, or `rejectRecord(error)` when the
 * error is a NonRetryableError.
 *
 * `after(record)` runs (in reverse step order) when the handler succeeded. Throwing from it
 * fails the record as retryable (the handler's work is done, but e.g. the dedupe store could not
 * record completion: retrying is the safe side, and dedupe sees the retry), or, for a
 * NonRetryableError (e.g. effects DynamoDB refused), dead-letters it.
 *
 * `onError(record, failure)` runs (in reverse order) when the record failed after this step's
 * `before` completed without a verdict and before its `after` ran: the handler threw, a later
 * step gave a retry/reject verdict, the timeout guard aborted the handler, or a later step's
 * `after` threw. `failure.retryable` says whether the record will be retried (release a lock)
 * or dead-lettered (mark it failed). Errors thrown from onError are logged, never propagated.
 *
 * `settle(record, outcome)` runs once for every step, whatever happened, after the above.
 *
 * Per-record state of a step: keep it in a `WeakMap<RecordContext, …>` inside the step (the
 * runtime's own steps use a RecordSlot, record-slot.ts, which keeps it on the record itself).
 */
import type { EventMetadata, EventBridgeEvent } from './envelope.ts';
import type { DeliveryMode } from './subscription-config.ts';
import type { Logger } from './handler-types.ts';
import type { PiiMask } from './pii-mask.ts';
import { isNonRetryable, toError } from './errors.ts';

/** The invocation's time budget, shared by every record. */
export interface Deadline {
  /** Milliseconds left before the Lambda timeout (context.getRemainingTimeInMillis()). */
  remainingMs(): number;
  /** Milliseconds left before the timeout guard stops the batch (remainingMs − margin). */
  remainingBeforeGuardMs(): number;
  /** Aborted when the timeout guard fires; passed to the handler as ctx.signal. */
  readonly signal: AbortSignal;
}

/**
 * How a record travelled to the function, as its transport tells: what tracing joins the hops
 * with (middleware/tracing.ts).
 */
export interface RecordTransport {
  /**
   * The AWS X-Ray trace header the record came with: an SQS message's `AWSTraceHeader` system
   * attribute (EventBridge passes the PutEvents entry's TraceHeader on), or for direct delivery
   * the invocation's `_X_AMZN_TRACE_ID`.
   */
  readonly traceHeader?: string;
  /** When the queue accepted the message (SQS SentTimestamp), ms since the epoch; absent for direct delivery. */
  readonly sentAt?: number;
  /** The queue's ARN (SQS eventSourceARN); absent for direct delivery. */
  readonly queueArn?: string;
}

/** One decoded record, as every step and the handler see it. */
export interface RecordContext {
  readonly subscription: string;
  readonly flow: string;
  readonly delivery: DeliveryMode;
  /** The EventBridge detail-type. */
  readonly topic: string;
  /** metadata.id, else the EventBridge event id: the default dedupe key. */
  readonly eventId: string;
  /** The EventBridge event id (differs per delivery of a re-published event). */
  readonly eventBridgeId: string;
  /** The EventBridge event as delivered (detail untouched). */
  readonly event: EventBridgeEvent<unknown>;
  /** true when detail is a Busline envelope `{ metadata, data }`; false for raw events from outside the flow. */
  readonly enveloped: boolean;
  /** Envelope metadata as received ({} for raw events). */
  readonly metadata: EventMetadata;
  /** detail.data for enveloped events, the whole detail for raw ones. */
  readonly data: unknown;
  /** metadata.correlationId, else the event's own id. */
  readonly correlationId: string;
  /** 1 on first delivery (SQS ApproximateReceiveCount; 1 for direct delivery). */
  readonly attempt: number;
  /** SQS message id (absent for direct delivery). */
  readonly messageId?: string;
  /** How the record reached the function (trace header, queue, send time); absent when nothing is known. */
  readonly transport?: RecordTransport;
  readonly deadline: Deadline;
  /** Logger carrying this record's topic, event id, correlation id and attempt; it masks the record's PII. */
  readonly logger: Logger;
  /** The record's PII values (fields its schema marks `x-busline-pii`); absent when it has none. */
  readonly piiMask?: PiiMask;
}

export type RecordVerdict =
  | { readonly verdict: 'skip'; readonly reason: string }
  | { readonly verdict: 'retry'; readonly error: Error; readonly delaySeconds?: number; readonly deferred?: true }
  | { readonly verdict: 'reject'; readonly error: Error };

/** Succeed the record without running the handler (a duplicate). */
export function skipRecord(reason: string): RecordVerdict {
  return { verdict: 'skip', reason };
}

/** Fail the record so that it is retried later; `delaySeconds` overrides the backoff delay. */
export function retryRecord(error: Error, delaySeconds?: number): RecordVerdict {
  return delaySeconds === undefined ? { verdict: 'retry', error } : { verdict: 'retry', error, delaySeconds };
}

/**
 * Send the record back for `delaySeconds` without counting an attempt: this delivery was not
 * its turn (another delivery of the same event holds its lock). The queue's redrive, set with
 * headroom by the constructs, still bounds how often that can happen.
 */
export function deferRecord(error: Error, delaySeconds: number): RecordVerdict {
  return { verdict: 'retry', error, delaySeconds, deferred: true };
}

/** Fail the record for good: it goes to the DLQ with `error` as the reason. */
export function rejectRecord(error: Error): RecordVerdict {
  return { verdict: 'reject', error };
}

export interface RecordFailure {
  readonly error: Error;
  /** true: the record will be retried; false: it goes to the DLQ. */
  readonly retryable: boolean;
  readonly stage: 'step' | 'handler' | 'after';
}

/**
 * Why a record went to the DLQ: it can never succeed (`malformed`, `invalid`, `non-retryable`),
 * or it failed on each of its `maxAttempts` attempts (`retries-exhausted`).
 */
export type DeadLetterReason = 'malformed' | 'invalid' | 'non-retryable' | 'retries-exhausted';

/** The final state of one record. */
export type RecordOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'duplicate'; readonly reason: string }
  | { readonly kind: 'retry'; readonly error: Error; readonly delaySeconds?: number; /** Sent back without counting an attempt (deferRecord). */ readonly deferred?: true }
  | { readonly kind: 'dead-letter'; readonly error: Error; readonly reason: DeadLetterReason }
  /** Never started: the timeout guard fired, or an earlier record of an ordered batch failed. */
  | { readonly kind: 'not-attempted'; readonly reason: 'timeout' | 'ordered-after-failure' };

export interface RecordStep {
  /** Shown in logs when a hook throws. */
  readonly name: string;
  before?(record: RecordContext): RecordVerdict | void | Promise<RecordVerdict | void>;
  after?(record: RecordContext): void | Promise<void>;
  onError?(record: RecordContext, failure: RecordFailure): void | Promise<void>;
  settle?(record: RecordContext, outcome: RecordOutcome): void | Promise<void>;
}

/** Runs the user handler for one record; rejects on failure (the pipeline classifies the error). */
export type RecordHandler = (record: RecordContext) => Promise<void>;

/** Timings the metrics middleware reports. */
export interface RecordTimings {
  /** Duration of the user handler, when it ran. */
  handlerMs?: number;
}

/**
 * Runs `steps` and `handler` for one record and returns its outcome. Never throws: every
 * failure becomes an outcome, so one record can never fail the whole batch.
 */
export async function runRecordPipeline(
  record: RecordContext,
  steps: readonly RecordStep[],
  handler: RecordHandler,
  timings: RecordTimings,
): Promise<RecordOutcome> {
  // Steps whose `before` completed with no verdict (they get after/onError) are always the first
  // `entered` steps, in order: a count, not an array per record.
  let entered = 0;
  let outcome: RecordOutcome | undefined;
  let failure: RecordFailure | undefined;

  for (const step of steps) {
    if (!step.before) {
      entered++;
      continue;
    }
    let verdict: RecordVerdict | void;
    try {
      const pending = step.before(record);
      verdict = isThenable(pending) ? await pending : pending;
    } catch (thrown) {
      const error = toError(thrown);
      verdict = isNonRetryable(error) ? rejectRecord(error) : retryRecord(error);
    }
    if (verdict) {
      if (verdict.verdict === 'skip') {
        outcome = { kind: 'duplicate', reason: verdict.reason };
      } else {
        failure = { error: verdict.error, retryable: verdict.verdict === 'retry', stage: 'step' };
        outcome = verdictOutcome(verdict);
      }
      break;
    }
    entered++;
  }

  if (!outcome) {
    const started = performance.now();
    try {
      await handler(record);
      timings.handlerMs = performance.now() - started;
    } catch (thrown) {
      timings.handlerMs = performance.now() - started;
      const error = toError(thrown);
      const retryable = !isNonRetryable(error);
      failure = { error, retryable, stage: 'handler' };
      outcome = retryable ? { kind: 'retry', error } : { kind: 'dead-letter', error, reason: 'non-retryable' };
    }
  }

  if (!outcome) {
    outcome = SUCCEEDED;
    // In reverse; a step whose `after` throws leaves the steps before it for onError (not itself).
    while (entered > 0) {
      const step = steps[--entered]!;
      if (!step.after) continue;
      try {
        const pending = step.after(record);
        if (isThenable(pending)) await pending;
      } catch (thrown) {
        const error = toError(thrown);
        const retryable = !isNonRetryable(error);
        failure = { error, retryable, stage: 'after' };
        outcome = retryable ? { kind: 'retry', error } : { kind: 'dead-letter', error, reason: 'non-retryable' };
        break;
      }
    }
  }

  if (failure) {
    for (let i = entered - 1; i >= 0; i--) {
      const step = steps[i]!;
      if (!step.onError) continue;
      try {
        const pending = step.onError(record, failure);
        if (isThenable(pending)) await pending;
      } catch (thrown) {
        record.logger.error('record step onError hook failed', { step: step.name, error: describeError(toError(thrown)) });
      }
    }
  }

  for (const step of steps) {
    if (!step.settle) continue;
    try {
      const pending = step.settle(record, outcome);
      if (isThenable(pending)) await pending;
    } catch (thrown) {
      record.logger.error('record step settle hook failed', { step: step.name, error: describeError(toError(thrown)) });
    }
  }
  return outcome;
}

/** Every succeeded outcome is the same immutable value: one object, not one per record. */
const SUCCEEDED: RecordOutcome = Object.freeze({ kind: 'succeeded' });

/**
 * Hooks may be synchronous (validation, tracing's settle): awaiting only what is a promise
 * saves a microtask turn per hook per record. A throwing sync hook lands in the same catch.
 */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function verdictOutcome(verdict: Exclude<RecordVerdict, { verdict: 'skip' }>): RecordOutcome {
  if (verdict.verdict === 'reject') {
    return { kind: 'dead-letter', error: verdict.error, reason: deadLetterReasonOf(verdict.error) };
  }
  if (verdict.delaySeconds === undefined) return { kind: 'retry', error: verdict.error };
  return verdict.deferred
    ? { kind: 'retry', error: verdict.error, delaySeconds: verdict.delaySeconds, deferred: true }
    : { kind: 'retry', error: verdict.error, delaySeconds: verdict.delaySeconds };
}

/** Schema violations say `invalid`; everything else rejected says `non-retryable`. */
export function deadLetterReasonOf(error: Error): DeadLetterReason {
  if (error.name === 'ValidationSchemaError') return 'invalid';
  if (error.name === 'EnvelopeMalformedBodyError') return 'malformed';
  return 'non-retryable';
}

/** A JSON-friendly view of an error for logs. */
export function describeError(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message };
}
