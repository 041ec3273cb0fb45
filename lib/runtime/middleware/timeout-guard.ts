/**
 * Timeout guard: the batch must answer before Lambda kills the invocation, or the whole batch
 * is retried (and every record that already succeeded runs again). `marginMs` before the
 * deadline the guard aborts `ctx.signal` for the running handler, and the batch loop stops
 * taking new records: the running record and every later one are reported failed, untouched,
 * so they are retried. The margin leaves time for the DLQ sends, visibility changes and the
 * response.
 *
 * Without a Lambda context (a handler run by hand) there is no deadline and no guard.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { invocationState, type BuslineRequest } from '../invocation.ts';
import type { Deadline } from '../record-pipeline.ts';

export interface GuardedDeadline extends Deadline {
  /** Clears the timer; called when the invocation ends. */
  dispose(): void;
}

export function createDeadline(context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined, marginMs: number): GuardedDeadline {
  const controller = new AbortController();
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis!() : () => Infinity;
  const initial = remaining();
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (Number.isFinite(initial)) {
    const abort = (): void => controller.abort(new Error(`the invocation is ${marginMs} ms from its timeout`));
    if (initial - marginMs <= 0) abort();
    else {
      // Not unref'd: while a handler awaits only this signal, the timer is what keeps the
      // event loop (and so the invocation) alive. dispose() clears it when the invocation ends.
      timer = setTimeout(abort, initial - marginMs);
    }
  }
  return {
    remainingMs: remaining,
    remainingBeforeGuardMs: () => remaining() - marginMs,
    signal: controller.signal,
    dispose: () => {
      if (timer) clearTimeout(timer);
    },
  };
}

/** Invocation-level middleware: sets up the deadline first, disposes it last. */
export function timeoutGuardMiddleware(marginMs: number): MiddlewareObj {
  const dispose = (request: BuslineRequest): void => {
    (invocationState(request).deadline as GuardedDeadline | undefined)?.dispose();
  };
  return {
    name: 'busline-timeout-guard',
    before: function timeoutGuardBefore(request) {
      invocationState(request as BuslineRequest).deadline = createDeadline(request.context as Context, marginMs);
    },
    after: function timeoutGuardAfter(request) {
      dispose(request as BuslineRequest);
    },
    onError: function timeoutGuardOnError(request) {
      dispose(request as BuslineRequest);
    },
  };
}

/**
 * Resolves with the handler, or rejects with `onTimeout()` when the signal aborts first. The
 * handler keeps running in the background (JavaScript cannot stop it); the signal tells it to.
 */
export function raceDeadline<T>(work: Promise<T>, signal: AbortSignal, onTimeout: () => Error): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(onTimeout());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(onTimeout());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Races each handler of one batch against the batch's deadline signal (see deadlineRace). */
export interface DeadlineRace {
  /** raceDeadline(work, signal, onTimeout), for each handler of the batch (several may run at once). */
  run<T>(work: Promise<T>, onTimeout: () => Error): Promise<T>;
  /** Removes the abort listener; call when the batch ends. */
  dispose(): void;
}

/**
 * raceDeadline for the handlers of one batch: one abort listener for the batch instead of adding
 * and removing one per record. When the signal aborts, every handler still running (one, when
 * records run one after another; up to the record concurrency otherwise) is rejected with its
 * timeout error; a handler that finished (or lost the race and still runs in the background)
 * is never touched again.
 */
export function deadlineRace(signal: AbortSignal): DeadlineRace {
  // The common case, one handler at a time, keeps to a variable; a Set only when they overlap.
  let single: (() => void) | undefined;
  let many: Set<() => void> | undefined;
  const onAbort = (): void => {
    const fired = single;
    single = undefined;
    const rest = many;
    many = undefined;
    fired?.();
    if (rest) for (const fire of rest) fire();
  };
  const forget = (fire: () => void): void => {
    if (single === fire) single = undefined;
    else many?.delete(fire);
  };
  if (!signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
  return {
    run<T>(work: Promise<T>, onTimeout: () => Error): Promise<T> {
      if (signal.aborted) {
        work.catch(() => undefined);
        return Promise.reject(onTimeout());
      }
      return new Promise<T>((resolve, reject) => {
        const fire = (): void => reject(onTimeout());
        if (single === undefined) single = fire;
        else (many ??= new Set()).add(fire);
        work.then(
          (value) => {
            forget(fire);
            resolve(value);
          },
          (error: unknown) => {
            forget(fire);
            reject(error);
          },
        );
      });
    },
    dispose: () => signal.removeEventListener('abort', onAbort),
  };
}
