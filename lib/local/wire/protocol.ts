/** Shared pieces of the wire protocols (AWS JSON 1.0 and 1.1, SQS query). */
import type http from 'node:http';
import type { Caller } from '../iam/caller.ts';

/** A failure to put on the wire in AWS's shape. */
export class WireError extends Error {
  constructor(
    /** Body `__type`. */
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Extra response headers (SQS: x-amzn-query-error). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** What a handler knows about the call: `signal` aborts when the client goes away (long polls stop then). */
export interface ActionContext {
  readonly signal: AbortSignal;
  /** Who signed the request, when the engine knows its callers (startLocalApp). */
  readonly caller?: Caller;
}

/** An action handler: parsed JSON input → output object (or throws). */
export type ActionHandler = (input: Record<string, unknown>, context: ActionContext) => unknown | Promise<unknown>;

/** How a handler's call ended: its output, or what it threw. */
export type Outcome = { readonly output: unknown } | { readonly error: unknown };

/**
 * Calls `handler` for the request answered by `response`; undefined when the client went away
 * before the handler was done (nobody is left to answer).
 */
export async function invoke(handler: ActionHandler, input: Record<string, unknown>, response: http.ServerResponse, caller?: Caller): Promise<Outcome | undefined> {
  // The AbortController is made only for a handler that asks for the signal (long polls):
  // most calls never read it.
  let gone = false;
  let controller: AbortController | undefined;
  response.once('close', () => {
    if (response.writableFinished) return;
    gone = true;
    controller?.abort();
  });
  const context: ActionContext = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (gone) controller.abort();
      }
      return controller.signal;
    },
    ...(caller && { caller }),
  };
  let running: unknown;
  try {
    running = handler(input, context);
  } catch (error) {
    return { error };
  }
  // Awaited in a function of its own: this one ends now, so the request's input is not held
  // while the action runs (a write waits on an fsync; see server.ts, answer()).
  return outcomeOf(running, () => gone);
}

async function outcomeOf(running: unknown, gone: () => boolean): Promise<Outcome | undefined> {
  try {
    const output = await running;
    return gone() ? undefined : { output: output ?? {} };
  } catch (error) {
    return { error };
  }
}

/** Writes a whole answer: status, content type, request id, extra headers, payload. */
export function sendPayload(response: http.ServerResponse, status: number, contentType: string, requestId: string, payload: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  response.end(payload);
}

/** `table[key]` when the table has that key itself: a client's `__proto__` or `constructor` is no entry. */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
