/**
 * The engine's sense of time. Every deadline the engine keeps (visibility timeouts, delays,
 * long polls, batching windows, retry backoff, event age, retention) reads and waits on a
 * {@link Clock}, so a test harness can swap in a virtual one and move time forward at will.
 * `busline dev` uses {@link systemClock}: wall time and Node's timers.
 *
 * Left on wall time on purpose: how long a handler runs and its Lambda timeout (the code really
 * runs), and the store's and journal's own write batching and file polling (I/O, not AWS time).
 */

/** A scheduled callback; cancel() is a no-op once it ran. */
export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Run `callback` once `ms` of this clock's time has passed. Never keeps the process alive. */
  after(ms: number, callback: () => void): ClockTimer;
}

/** Wall time and Node's timers (unref'ed). */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves once `ms` of the clock's time has passed. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}
