/**
 * The attempt limit: after a record failed, count the attempt in the ledger (attempt-ledger.ts)
 * and, once the record has failed `maxAttempts` times, dead-letter it with reason
 * `retries-exhausted` instead of handing it back: the runtime's DLQ send then carries the reason,
 * the error, the attempts and the first and last failure times, which a message moved by the
 * queue's redrive never does. The redrive stays as a safety net with headroom (lib/constructs).
 *
 * What counts as an attempt: a record whose pipeline ran and failed, except one deferred
 * (deferRecord: another delivery holds its lock). Records an ordered batch or the timeout guard
 * left untried (`not-attempted`) never count, although SQS raised their receive count.
 *
 * Without a ledger (no table configured) a record's attempts are its SQS receive count, 1 for
 * direct delivery. When the ledger cannot be reached the record is retried, never dead-lettered
 * on a count that may include untried receives.
 */
import type { InboundRecord } from '../middleware/envelope.ts';
import type { RecordResult } from '../invocation.ts';
import type { JsonLogger } from '../logger.ts';
import type { AttemptLedger, AttemptTally } from './attempt-ledger.ts';

export interface AttemptLimitOptions {
  readonly subscription: string;
  readonly maxAttempts: number;
  /** @default - none: attempts are the SQS receive count */
  readonly ledger: AttemptLedger | undefined;
  readonly logger: JsonLogger;
}

/** The ledger key of a delivered record (see attempt-ledger.ts). */
export function attemptKey(subscription: string, inbound: InboundRecord): string {
  if (inbound.kind === 'sqs') return `#attempts#${subscription}#${inbound.messageId}`;
  const eventId = (inbound.event as { id?: unknown }).id;
  return `#attempts#${subscription}#${inbound.requestId ?? ''}#${typeof eventId === 'string' ? eventId : ''}`;
}

/** The tally without a ledger: the receive count, since the first receive. */
export function receiveTally(inbound: InboundRecord, nowMs: number): AttemptTally {
  return inbound.kind === 'sqs'
    ? { attempts: inbound.receiveCount, firstFailedAtMs: inbound.firstReceivedAt, lastFailedAtMs: nowMs }
    : { attempts: 1, firstFailedAtMs: inbound.receivedAt, lastFailedAtMs: nowMs };
}

/** Sets `result.failures` of a failed record, and dead-letters a retry that used up its attempts. */
export function attemptLimit(options: AttemptLimitOptions): (result: RecordResult) => Promise<void> {
  const { subscription, maxAttempts, ledger, logger } = options;

  const tally = async (result: RecordResult, nowMs: number): Promise<AttemptTally | undefined> => {
    if (!ledger) return receiveTally(result.inbound, nowMs);
    try {
      return await ledger.recordFailure(attemptKey(subscription, result.inbound), nowMs);
    } catch (error) {
      (result.record?.logger ?? logger).warn('could not count the failed attempt; the record is retried', { error });
      return undefined;
    }
  };

  return async function countAttempt(result: RecordResult): Promise<void> {
    const outcome = result.outcome;
    const nowMs = Date.now();
    if (outcome.kind === 'dead-letter') {
      // A record that never reached its handler (malformed, invalid) fails the same way every
      // time: this is its first attempt. One whose handler ran may have failed before.
      const first = result.timings.handlerMs === undefined || (result.inbound.kind === 'sqs' && result.inbound.receiveCount === 1);
      result.failures = (first ? undefined : await tally(result, nowMs)) ?? { attempts: 1, firstFailedAtMs: nowMs, lastFailedAtMs: nowMs };
      return;
    }
    if (outcome.kind !== 'retry' || outcome.deferred) return;
    const counted = await tally(result, nowMs);
    result.failures = counted ?? receiveTally(result.inbound, nowMs);
    if (!counted || counted.attempts < maxAttempts) return;
    result.outcome = { kind: 'dead-letter', error: outcome.error, reason: 'retries-exhausted' };
    (result.record?.logger ?? logger).error('record dead-lettered', { outcome: 'dead-letter', reason: 'retries-exhausted', attempts: counted.attempts, maxAttempts, error: outcome.error });
  };
}
