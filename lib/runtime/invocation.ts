/**
 * Per-invocation state shared by the middlewares and the batch loop. Kept in a WeakMap keyed
 * by middy's request object (one per invocation), not on middy's `internal`, which a plugin may
 * share between invocations.
 */
import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { InboundRecord, InvocationKind } from './middleware/envelope.ts';
import type { Deadline, RecordContext, RecordOutcome, RecordTimings } from './record-pipeline.ts';
import type { AttemptTally } from './attempts/attempt-ledger.ts';

export type BuslineRequest = Request<unknown, unknown, Error, Context>;

export interface RecordResult {
  readonly inbound: InboundRecord;
  /** Final outcome; the DLQ middleware may turn a dead-letter into a retry when the send fails. */
  outcome: RecordOutcome;
  /** Absent when the record could not be decoded or was never attempted. */
  readonly record?: RecordContext;
  readonly timings: RecordTimings;
  /** Set once the DLQ accepted a dead-lettered record, so it is never sent twice. */
  deadLetterSent?: boolean;
  /** The record's failed attempts so far (attempts/attempt-limit.ts), for a record that failed. */
  failures?: AttemptTally;
}

export interface InvocationState {
  kind: InvocationKind;
  records: InboundRecord[];
  /** One per record, in batch order, filled by the batch loop. */
  results: RecordResult[];
  deadline?: Deadline;
  /**
   * Set when the batch loop starts. Until then no record ran: a failure before it (a `before`
   * that threw, the handler's middlewares' included) fails the whole invocation, and no partial
   * batch response may claim any record done.
   */
  batchStarted?: boolean;
  /** The invocation's Lambda context (middy's request.context), given to handlers as ctx.lambdaContext. */
  lambdaContext?: Context;
}

/**
 * The state lives on the request itself, under a non-enumerable symbol, rather than in a
 * WeakMap keyed by it: V8's young-generation GC keeps WeakMap values alive while it runs, so a
 * WeakMap entry made the whole invocation (decoded events, results, loggers) survive into the
 * old generation, to be collected only by a full mark-compact. Same lifetime: the request's.
 */
const STATE = Symbol('busline.invocationState');

export function invocationState(request: BuslineRequest): InvocationState {
  const holder = request as unknown as { [STATE]?: InvocationState };
  let state = holder[STATE];
  if (!state) {
    state = { kind: 'sqs-batch', records: [], results: [] };
    Object.defineProperty(holder, STATE, { value: state, enumerable: false, configurable: true, writable: false });
  }
  return state;
}
