/**
 * Per-invocation state shared by the middlewares and the batch loop. Kept in a WeakMap keyed
 * by middy's request object (one per invocation), not on middy's `internal`, which a plugin may
 * share between invocations.
 */
import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { InboundRecord, InvocationKind } from './middleware/envelope.ts';
import type { Deadline, RecordContext, RecordOutcome, RecordTimings } from './record-pipeline.ts';

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
}

export interface InvocationState {
  kind: InvocationKind;
  records: InboundRecord[];
  /** One per record, in batch order, filled by the batch loop. */
  results: RecordResult[];
  deadline?: Deadline;
}

const states = new WeakMap<object, InvocationState>();

export function invocationState(request: BuslineRequest): InvocationState {
  let state = states.get(request);
  if (!state) {
    state = { kind: 'sqs-batch', records: [], results: [] };
    states.set(request, state);
  }
  return state;
}
