/**
 * The invocation's middleware chain: middy's order and request object, without middy's core.
 * Busline's work happens in the hooks (the batch loop is the innermost `before`), so what it
 * needs of @middy/core is its hook order, and the ~2.6 KB of it every bundle carried (response
 * streaming, the early-timeout race, plugin hooks) went unused: @middy/core stays the source of
 * the middleware types, and a handler's own middy middlewares run here unchanged.
 *
 * As middy runs a handler whose function does nothing (@middy/core's runRequest):
 * - a request `{ event, context, response, error, internal }` per invocation (error null, as
 *   @middy/core's types declare it, until a hook throws);
 * - `before` hooks in `use` order, then `after` hooks in reverse order;
 * - a hook that returns a value answers early: the value is the response, no later hook of its
 *   phase runs, and after an early `before` answer no `after` runs;
 * - when a hook throws: the response is cleared, `request.error` set and the `onError` hooks run
 *   in reverse order (an early answer stops them too); if one throws, that error is thrown, with
 *   the first as its `originalError`; if none set a response, the error is thrown.
 */
import type middy from '@middy/core';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';

type MiddlewareFn = middy.MiddlewareFn;
type ChainRequest = Request<unknown, unknown, Error, Context> & { earlyResponse?: unknown };

/** A Lambda handler running `middlewares` around a handler that does nothing. */
export function middlewareChain(middlewares: readonly MiddlewareObj[]): (event: unknown, context: Context) => Promise<unknown> {
  const hooks = (hook: 'before' | 'after' | 'onError'): MiddlewareFn[] => middlewares.flatMap((m) => (m[hook] ? [m[hook]] : []));
  const befores = hooks('before');
  const afters = hooks('after').reverse();
  const onErrors = hooks('onError').reverse();
  return async (event, context) => {
    const request: ChainRequest = { event, context, response: undefined, error: null, internal: {} };
    try {
      if (!(await answeredEarly(request, befores))) await answeredEarly(request, afters);
    } catch (error) {
      request.response = undefined;
      request.error = error as Error;
      try {
        await answeredEarly(request, onErrors);
      } catch (thrown) {
        (thrown as { originalError?: unknown }).originalError = request.error;
        throw thrown;
      }
      if (request.response === undefined) throw request.error;
    }
    return request.response;
  };
}

/** Runs `hooks` in order until one answers (returns a value): then that is the response. */
async function answeredEarly(request: ChainRequest, hooks: readonly MiddlewareFn[]): Promise<boolean> {
  for (const hook of hooks) {
    const answer: unknown = await hook(request);
    if (answer !== undefined) request.earlyResponse = answer;
    if (Object.hasOwn(request, 'earlyResponse')) {
      request.response = request.earlyResponse;
      return true;
    }
  }
  return false;
}
