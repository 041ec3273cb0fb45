/**
 * Partial batch response: each record succeeds or fails on its own, and the response lists the
 * failed ones, `{ batchItemFailures: [{ itemIdentifier: messageId }] }`, so only they are
 * retried. The response is built only from SQS message ids (never empty), so it is never
 * malformed (AWS would then fail the whole batch).
 *
 * Direct delivery (a bare EventBridge event, rule → Lambda async invoke): a retryable failure
 * throws, so Lambda's async retries apply; a dead-lettered event (already in the DLQ with its
 * reason) returns normally.
 *
 * If the batch loop itself crashed, or something after it threw (a handler middleware's
 * `after`), onError still answers with a well-formed response that fails every record not known
 * to be done, rather than failing the whole batch. If the loop never started (a `before` threw,
 * e.g. a handler middleware's that could not load its secrets), no record ran: onError leaves
 * the error to fail the invocation, and Lambda returns the whole batch to the queue.
 */
import type { MiddlewareObj } from '@middy/core';
import { invocationState, type BuslineRequest, type InvocationState } from '../invocation.ts';
import type { RecordOutcome } from '../record-pipeline.ts';

export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** true when the source must deliver the record again. */
export function needsRedelivery(outcome: RecordOutcome | undefined): boolean {
  return outcome === undefined || outcome.kind === 'retry' || outcome.kind === 'not-attempted';
}

export function buildBatchResponse(state: InvocationState): BatchResponse {
  const batchItemFailures: BatchResponse['batchItemFailures'] = [];
  state.records.forEach((inbound, i) => {
    if (inbound.kind === 'sqs' && needsRedelivery(state.results[i]?.outcome)) batchItemFailures.push({ itemIdentifier: inbound.messageId });
  });
  return { batchItemFailures };
}

export function partialBatchMiddleware(): MiddlewareObj {
  return {
    name: 'busline-partial-batch',
    after: function respond(request) {
      const state = invocationState(request as BuslineRequest);
      if (state.kind === 'sqs-batch') {
        request.response = buildBatchResponse(state);
        return;
      }
      const outcome = state.results[0]?.outcome;
      if (outcome && 'error' in outcome && needsRedelivery(outcome)) throw outcome.error;
      if (!outcome) throw new Error('the event was not processed');
      if (outcome.kind === 'not-attempted') throw new Error(`the event was not processed (${outcome.reason})`);
      request.response = null;
    },
    onError: function respondAfterCrash(request) {
      const state = invocationState(request as BuslineRequest);
      if (state.kind !== 'sqs-batch' || state.records.length === 0 || !state.batchStarted) return;
      // Dead-letter outcomes the DLQ did not take (its after hook did not run): redeliver them
      // too. Those it took stay processed, or they would be in the DLQ and back in the queue.
      for (const r of state.results) if (r.outcome.kind === 'dead-letter' && !r.deadLetterSent) r.outcome = { kind: 'retry', error: r.outcome.error };
      request.response = buildBatchResponse(state);
    },
  };
}
