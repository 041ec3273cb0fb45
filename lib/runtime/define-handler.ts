import type { DefinedHandler, HandlerMiddleware, TypedHandler, UserHandler } from './handler-types.ts';
import { RuntimeOptionsError } from './errors.ts';

/**
 * Types a handler from the topic map that `busline types` generates, and lets it take middy
 * middlewares:
 *
 *   import { defineHandler } from 'busline/runtime';
 *   import inputOutputLogger from '@middy/input-output-logger';
 *   import type { TopicMap } from '../schemas/types.ts';
 *
 *   export default defineHandler<TopicMap, 'user.signed-up', 'welcome.sent'>(async (user, ctx) => {
 *     await ctx.publish('welcome.sent', { userId: user.userId }); // checked at compile time
 *   }).use(inputOutputLogger());
 *
 * The result is called exactly like the function given (wrapHandler calls that function
 * itself, with no extra frame per record); `use` records the middlewares for wrapHandler,
 * which runs them around each invocation (see lib/runtime/README.md, "Middy middlewares").
 */
export function defineHandler<TMap, TTopic extends keyof TMap, TPublishes extends keyof TMap = never>(
  handler: TypedHandler<TMap, TTopic, TPublishes>,
): DefinedHandler<TMap, TTopic, TPublishes> {
  if (typeof handler !== 'function') throw new RuntimeOptionsError(`defineHandler: the handler must be a function (data, ctx) => Promise<void>, got ${handler === null ? 'null' : typeof handler}`);
  const parts: HandlerParts = { handler: handler as unknown as UserHandler<unknown>, middlewares: [], taken: false };
  const defined = function (data: TMap[TTopic], ctx: Parameters<TypedHandler<TMap, TTopic, TPublishes>>[1]): Promise<void> {
    return handler(data, ctx);
  } as DefinedHandler<TMap, TTopic, TPublishes>;
  Object.defineProperty(defined, 'name', { value: handler.name, configurable: true });
  Object.defineProperty(defined, PARTS, { value: parts });
  Object.defineProperty(defined, 'use', {
    value: function use(middlewares: unknown) {
      const where = `defineHandler(${handler.name || 'handler'}).use`;
      if (parts.taken) {
        throw new RuntimeOptionsError(`${where}: wrapHandler has already taken this handler, so the middleware would never run: call use() when the module loads, before it is exported`);
      }
      const list: readonly unknown[] = Array.isArray(middlewares) ? middlewares : [middlewares];
      list.forEach((m, i) => checkMiddleware(where, m, Array.isArray(middlewares) ? i : undefined));
      parts.middlewares.push(...(list as HandlerMiddleware[]));
      return defined;
    },
  });
  return defined;
}

/**
 * What `use` recorded, kept on the defined handler under a registry symbol (Symbol.for): the
 * handler module may import `busline/runtime` from another copy of the package (ESM and CJS
 * builds, or the built package beside the sources the bundle entry imports) than the one whose
 * wrapHandler reads it, and both copies must agree on the key.
 */
interface HandlerParts {
  readonly handler: UserHandler<unknown>;
  readonly middlewares: HandlerMiddleware[];
  /** Set by wrapHandler: later `use` calls throw instead of being silently ignored. */
  taken: boolean;
}

const PARTS = Symbol.for('busline.definedHandler');

/**
 * The function to call per record and the middlewares to run per invocation: for a handler
 * made by defineHandler, the function it was given and what `use` added (a copy; `use` is
 * closed from now on); for a plain function, itself and none.
 */
export function takeHandlerParts<TData>(userHandler: UserHandler<TData>): { readonly handler: UserHandler<TData>; readonly middlewares: readonly HandlerMiddleware[] } {
  const parts = (userHandler as unknown as { [PARTS]?: HandlerParts })[PARTS];
  if (!parts) return { handler: userHandler, middlewares: [] };
  parts.taken = true;
  return { handler: parts.handler as UserHandler<TData>, middlewares: [...parts.middlewares] };
}

const HOOKS = ['before', 'after', 'onError'] as const;

/** Checked when `use` is called (at module load), like middy's own `use`, with the reason spelt out. */
function checkMiddleware(where: string, middleware: unknown, index: number | undefined): void {
  const which = index === undefined ? 'the middleware' : `middleware ${index}`;
  if (typeof middleware === 'function') {
    throw new RuntimeOptionsError(`${where}: ${which} is a function${middleware.name ? ` (${middleware.name})` : ''}, not a middleware object: pass what the factory returns, e.g. use(inputOutputLogger()) rather than use(inputOutputLogger)`);
  }
  if (typeof middleware !== 'object' || middleware === null) {
    throw new RuntimeOptionsError(`${where}: ${which} must be an object with before, after or onError functions, got ${middleware === null ? 'null' : typeof middleware}`);
  }
  const m = middleware as Record<string, unknown>;
  for (const hook of HOOKS) {
    if (m[hook] !== undefined && typeof m[hook] !== 'function') throw new RuntimeOptionsError(`${where}: ${which}'s ${hook} must be a function, got ${typeof m[hook]}`);
  }
  if (!HOOKS.some((hook) => typeof m[hook] === 'function')) {
    throw new RuntimeOptionsError(`${where}: ${which} has none of before, after, onError: a middy middleware needs at least one`);
  }
}
