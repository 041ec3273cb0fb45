/**
 * Handler middlewares: the middy middlewares a handler took with `defineHandler(fn).use(...)`,
 * run once per invocation, in this place of the chain (`use` order; afters run in reverse):
 *
 *   timeout-guard → metrics → envelope → [boundary → m₁ → … → mₙ] → partial-batch → backoff → dlq-with-reason → batch loop
 *
 * Why there:
 *   - inside timeout-guard: the deadline exists before a middleware's `before` runs (a slow
 *     secrets fetch spends the same budget the guard watches), and its timer is cleared last,
 *     whatever the middlewares do;
 *   - inside metrics: the EMF line and the `batch processed` summary are written after the
 *     middlewares' afters, and also when one of them throws;
 *   - inside envelope: Busline has read the records out of the Lambda event before any
 *     middleware runs, so one that rewrites `request.event` (@middy/event-normalizer parses SQS
 *     bodies in place) changes nothing Busline processes or sends to the DLQ;
 *   - outside partial-batch, backoff and dlq-with-reason, and before the batch loop: a
 *     middleware's `before` runs before any record (what it puts on the Lambda context is there
 *     for every handler, as `ctx.lambdaContext`), and its `after` runs once the invocation's work
 *     is done (DLQ sends and visibility changes made) and reads the real response.
 *
 * No middleware can lose a record or answer for one that did not run. Each is run through an
 * adapter, and the boundary (outside all of them) settles the invocation's answer:
 *
 * | a middleware…                                  | outcome                                              |
 * |------------------------------------------------|------------------------------------------------------|
 * | `before` throws (SSM unreachable, …)           | the batch loop never starts; the invocation throws, so Lambda returns the whole batch to the queue (direct delivery: Lambda's async retries); one error log line says why |
 * | `before` returns a value (middy: answer early) | MiddlewareEarlyResponseError: same as a throw        |
 * | `after` / `onError` replaces or edits the response, or returns one | ignored: the answer is the records' outcomes; a warning is logged |
 * | `after` throws, once the records ran           | the records' outcomes stand (partial batch response; direct event: answered, unless it is to be retried); error logged; every onError runs |
 * | `onError` throws                               | logged; the other onErrors still run (middy would stop at the first, skipping metrics and the guard's cleanup) |
 *
 * Why a throwing `before` fails the invocation rather than listing every record in
 * `batchItemFailures`: no record ran, so this is the function failing, not records. AWS Lambda,
 * "Handling errors for an SQS event source": if the function throws, the entire batch is
 * considered a complete failure and its messages reappear in the queue after the visibility
 * timeout; each receive counts, so after maxReceiveCount the queue's redrive moves them to the
 * DLQ. The invocation shows in the function's Errors metric and alarms (a batch answered with
 * "every record failed" would count as a success), as it would for any middy handler whose
 * middleware throws.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { HandlerMiddleware, InvocationResponse } from '../handler-types.ts';
import { MiddlewareEarlyResponseError, toError } from '../errors.ts';
import { invocationState, type BuslineRequest, type InvocationState } from '../invocation.ts';
import type { JsonLogger } from '../logger.ts';
import { buildBatchResponse, type BatchResponse } from './partial-batch.ts';
import { HOOKS } from '../define-handler.ts';

type HandlerRequest = Request<unknown, InvocationResponse, Error, Context, Record<string, unknown>>;

/** The boundary and one adapter per middleware, for middy's `use`; none when there is no middleware. */
export function handlerMiddlewares(middlewares: readonly HandlerMiddleware[], logger: JsonLogger): MiddlewareObj[] {
  if (middlewares.length === 0) return [];
  return [boundary(logger), ...middlewares.map((m, i) => adapt(m, i, logger))];
}

/**
 * Each hook the middleware has, called as middy calls it (detached, with the request only),
 * through one adapter: a `before` that returns a value throws MiddlewareEarlyResponseError; an
 * `after` or `onError` that returns one is ignored with a warning; an `onError` that throws is
 * logged, so the other onError hooks still run.
 */
function adapt(middleware: HandlerMiddleware, index: number, logger: JsonLogger): MiddlewareObj {
  const name = typeof middleware.name === 'string' && middleware.name !== '' ? middleware.name : `handler middleware ${index}`;
  const adapted: MiddlewareObj = { name };
  for (const hook of HOOKS) {
    const run = middleware[hook];
    if (!run) continue;
    adapted[hook] = async function handlerMiddlewareHook(request) {
      let answer: unknown;
      try {
        answer = await run(request as HandlerRequest);
      } catch (thrown) {
        if (hook !== 'onError') throw thrown;
        logger.error('a handler middleware\'s onError threw; the other onError hooks still run', { middleware: name, error: toError(thrown) });
        return;
      }
      if (answer === undefined) return;
      if (hook === 'before') {
        throw new MiddlewareEarlyResponseError(
          `${name}'s before returned a value (middy's early answer): Busline answers for each record, so none ran and the invocation fails; return nothing from before`,
        );
      }
      logger.warn(`a handler middleware returned a response from ${hook}: ignored, the invocation answers with the records' outcomes`, { middleware: name });
    };
  }
  return adapted;
}

function boundary(logger: JsonLogger): MiddlewareObj {
  return {
    name: 'busline-handler-middlewares',
    before: function handlerMiddlewaresBefore(request) {
      // SQS records were copied out of the event; a direct event is the event object itself,
      // which a middleware may edit in place: Busline keeps its own copy (one per invocation).
      const state = invocationState(request as BuslineRequest);
      const first = state.records[0];
      if (first?.kind === 'direct') state.records[0] = { ...first, event: structuredClone(first.event) };
    },
    after: function handlerMiddlewaresAfter(request) {
      // Reaching here, a direct event is done (a retryable failure threw in partial-batch's after).
      const state = invocationState(request as BuslineRequest);
      const expected = state.kind === 'sqs-batch' ? buildBatchResponse(state) : null;
      if (!sameAnswer(request.response, expected)) {
        logger.warn('a handler middleware changed the invocation response: answered with the records\' outcomes instead', { batchItemFailures: expected?.batchItemFailures.length });
      }
      request.response = expected;
    },
    onError: function handlerMiddlewaresOnError(request) {
      const state = invocationState(request as BuslineRequest);
      const error = request.error ?? undefined;
      // Nothing ran: fail the invocation, whatever response an onError hook may have set.
      const answer = state.batchStarted ? answerAfterRun(state) : 'fail';
      request.response = answer === 'fail' ? undefined : answer;
      if (!state.batchStarted) {
        if (state.records.length > 0) {
          logger.error(
            `the invocation failed before its ${state.kind === 'sqs-batch' ? 'records ran: Lambda returns the whole batch to the queue' : 'event ran: Lambda retries it'}`,
            { error, records: state.records.length },
          );
        }
      } else if (answer !== 'fail') {
        logger.error('an invocation hook failed after the records ran; the answer reports each record\'s outcome', {
          error,
          ...(answer ? { batchItemFailures: answer.batchItemFailures.length } : {}),
        });
      }
    },
  };
}

/**
 * What the invocation answers once its records ran, whatever threw afterwards: the partial
 * batch response (onError of partial-batch already turned dead letters the DLQ did not take
 * into retries); for a direct event, null when it is done (succeeded, duplicate, or in the
 * DLQ), else 'fail' (the invocation throws, so Lambda's async retries apply).
 */
function answerAfterRun(state: InvocationState): BatchResponse | null | 'fail' {
  if (state.kind === 'sqs-batch') return buildBatchResponse(state);
  const result = state.results[0];
  const kind = result?.outcome.kind;
  return kind === 'succeeded' || kind === 'duplicate' || (kind === 'dead-letter' && result?.deadLetterSent) ? null : 'fail';
}

/**
 * Whether `actual` gives Lambda the same answer as `expected`: Lambda answers with the response's
 * JSON, so equal JSON is the same answer (one that cannot be serialised is not).
 */
function sameAnswer(actual: unknown, expected: BatchResponse | null): boolean {
  try {
    return JSON.stringify(actual) === JSON.stringify(expected);
  } catch {
    return false;
  }
}
