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
  checkHandler('defineHandler', handler);
  const parts: HandlerParts = { handler: handler as unknown as UserHandler<unknown>, middlewares: [], taken: false };
  const defined = function (data: TMap[TTopic], ctx: Parameters<TypedHandler<TMap, TTopic, TPublishes>>[1]): Promise<void> {
    return handler(data, ctx);
  } as DefinedHandler<TMap, TTopic, TPublishes>;
  function use(middlewares: unknown): DefinedHandler<TMap, TTopic, TPublishes> {
    const where = `defineHandler(${handler.name || 'handler'}).use`;
    if (parts.taken) {
      throw new RuntimeOptionsError(`${where}: wrapHandler has already taken this handler, so the middleware would never run: call use() when the module loads, before it is exported`);
    }
    const list = Array.isArray(middlewares) ? middlewares : [middlewares];
    list.forEach((m, i) => checkMiddleware(where, m, list === middlewares ? `middleware ${i}` : 'the middleware'));
    parts.middlewares.push(...(list as HandlerMiddleware[]));
    return defined;
  }
  Object.defineProperties(defined, { name: { value: handler.name, configurable: true }, [PARTS]: { value: parts }, use: { value: use } });
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

/** Shared by defineHandler and wrapHandler: the handler given must be a function. */
export function checkHandler(where: string, handler: unknown): void {
  if (typeof handler !== 'function') throw new RuntimeOptionsError(`${where}: the handler must be a function (data, ctx) => Promise<void>, got ${handler === null ? 'null' : typeof handler}`);
}

/** The hooks of a middy middleware. */
export const HOOKS = ['before', 'after', 'onError'] as const;

/** Checked when `use` is called (at module load), like middy's own `use`, with the reason spelt out. */
function checkMiddleware(where: string, middleware: unknown, which: string): void {
  if (typeof middleware === 'function') {
    throw new RuntimeOptionsError(`${where}: ${which} is a function${middleware.name ? ` (${middleware.name})` : ''}, not a middleware: pass what the factory returns, e.g. use(inputOutputLogger()), not use(inputOutputLogger)`);
  }
  const m = (middleware ?? {}) as Record<string, unknown>;
  for (const hook of HOOKS) {
    if (m[hook] !== undefined && typeof m[hook] !== 'function') throw new RuntimeOptionsError(`${where}: ${which}'s ${hook} must be a function, got ${typeof m[hook]}`);
  }
  if (typeof middleware !== 'object' || !HOOKS.some((hook) => m[hook])) {
    throw new RuntimeOptionsError(`${where}: ${which} has none of before, after, onError (a middy middleware is an object with at least one), got ${middleware === null ? 'null' : typeof middleware}`);
  }
}
