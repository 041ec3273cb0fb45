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
  /** true once the guard fired (same as `signal.aborted`, without making the signal). */
  readonly expired: boolean;
  /** Calls `listener` once when the guard fires (at once if it has); returns the unsubscribe. */
  onExpire(listener: () => void): () => void;
}

/**
 * The invocation's deadline. Its AbortSignal is made only when something asks for it (a handler
 * reading `ctx.signal`): an AbortController costs several microseconds to make and to listen on,
 * once per invocation, and most handlers never look at the signal. The batch loop and its
 * handler race listen with `onExpire` instead.
 */
export function createDeadline(context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined, marginMs: number): GuardedDeadline {
  return new InvocationDeadline(context, marginMs);
}

/**
 * One per invocation: methods and accessors on the prototype, so making it allocates the object
 * and its timer only (no closures, no accessors defined per object). `remainingMs` and
 * `remainingBeforeGuardMs` are arrow members: code may pass them around unbound.
 */
class InvocationDeadline implements GuardedDeadline {
  readonly remainingMs: () => number;
  readonly remainingBeforeGuardMs: () => number;
  readonly #context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined;
  readonly #marginMs: number;
  #controller: AbortController | undefined;
  #expired = false;
  #listeners: Array<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(context: Partial<Pick<Context, 'getRemainingTimeInMillis'>> | undefined, marginMs: number) {
    this.#context = typeof context?.getRemainingTimeInMillis === 'function' ? context : undefined;
    this.#marginMs = marginMs;
    this.remainingMs = () => (this.#context ? this.#context.getRemainingTimeInMillis!() : Infinity);
    this.remainingBeforeGuardMs = () => this.remainingMs() - this.#marginMs;
    const initial = this.remainingMs();
    if (Number.isFinite(initial)) {
      if (initial - marginMs <= 0) this.expire();
      else {
        // Not unref'd: while a handler awaits only this signal, the timer is what keeps the
        // event loop (and so the invocation) alive. dispose() clears it when the invocation ends.
        this.#timer = setTimeout(expireDeadline, initial - marginMs, this);
      }
    }
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#expired) this.#controller.abort(this.#reason());
    }
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#expired;
  }

  onExpire(listener: () => void): () => void {
    if (this.#expired) {
      listener();
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const i = this.#listeners?.indexOf(listener) ?? -1;
      if (i >= 0) this.#listeners!.splice(i, 1);
    };
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  #reason(): Error {
    return new Error(`the invocation is ${this.#marginMs} ms from its timeout`);
  }

  /** The guard fires (the timer's callback, or at once when the margin is already used up). */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    this.#controller?.abort(this.#reason());
    const fire = this.#listeners;
    this.#listeners = undefined;
    if (fire) for (const listener of fire) listener();
  }
}

const noop = (): void => {};

/** The timer's callback, shared by every deadline (the deadline is its argument, not a closure). */
function expireDeadline(deadline: InvocationDeadline): void {
  deadline.expire();
}

/** Whether the guard fired, for any Deadline (a GuardedDeadline answers without making its signal). */
export function deadlineExpired(deadline: Deadline): boolean {
  const guarded = deadline as Partial<GuardedDeadline>;
  return typeof guarded.onExpire === 'function' ? guarded.expired === true : deadline.signal.aborted;
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
export function deadlineRace(deadline: Deadline): DeadlineRace {
  // The handlers running now: one when records run one after another, up to the record concurrency otherwise.
  const running = new Set<() => void>();
  const onAbort = (): void => {
    const fired = [...running];
    running.clear();
    for (const fire of fired) fire();
  };
  const expired = (): boolean => deadlineExpired(deadline);
  let unsubscribe: () => void;
  const guarded = deadline as Partial<GuardedDeadline>;
  if (typeof guarded.onExpire === 'function') unsubscribe = guarded.onExpire(onAbort);
  else {
    const signal = deadline.signal;
    if (!signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
    unsubscribe = () => signal.removeEventListener('abort', onAbort);
  }
  return {
    run<T>(work: Promise<T>, onTimeout: () => Error): Promise<T> {
      if (expired()) {
        work.catch(() => undefined);
        return Promise.reject(onTimeout());
      }
      return new Promise<T>((resolve, reject) => {
        const fire = (): void => reject(onTimeout());
        running.add(fire);
        work.then(
          (value) => {
            running.delete(fire);
            resolve(value);
          },
          (error: unknown) => {
            running.delete(fire);
            reject(error);
          },
        );
      });
    },
    dispose: () => unsubscribe(),
  };
}
