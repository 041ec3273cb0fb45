/** A test clock for the engine (lib/local/clock.ts): time moves only when a test says so. */
import type { Clock, ClockTimer } from '../../../lib/local/clock.ts';

/** A clock that moves only when told to, firing what falls due in time order. */
export class HandClock implements Clock {
  private at = Date.parse('2026-01-01T00:00:00Z');
  private timers: Array<{ due: number; run: () => void; cancelled: boolean }> = [];
  now(): number {
    return this.at;
  }
  after(ms: number, run: () => void): ClockTimer {
    const timer = { due: this.at + Math.max(0, ms), run, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
  /** Whether a timer is due exactly `ms` from now (a long poll's WaitTimeSeconds, say). */
  hasTimerIn(ms: number): boolean {
    return this.timers.some((t) => !t.cancelled && t.due === this.at + ms);
  }
  advance(ms: number): void {
    const until = this.at + ms;
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.at = next.due;
      next.run();
    }
    this.at = until;
  }
}
