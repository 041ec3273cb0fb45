/**
 * The soak's clock (lib/local/clock.ts's Clock): wall time that can jump forward. It runs at
 * the wall clock's pace while the flow works, and when the flow has nothing to do but wait (a
 * crashed invocation's messages waiting out their visibility timeout, a retry's backoff, a
 * delay), the soak moves it to the next timer at once, as the test harness's virtual clock
 * does. So a soak under crash faults does not sit through minutes of visibility timeouts, and
 * its latencies are flow time: what the events would have waited on AWS.
 */
import type { Clock, ClockTimer } from '../../local/clock.ts';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly run: () => void;
  readonly handle: NodeJS.Timeout;
}

export class SkippingClock implements Clock {
  /** How far this clock is ahead of the wall clock, ms. */
  private ahead = 0;
  private seq = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return Date.now() + this.ahead;
  }

  after(ms: number, run: () => void): ClockTimer {
    const wait = Math.max(0, ms);
    const timer: Timer = {
      due: this.now() + wait, seq: this.seq++, run,
      handle: setTimeout(() => { if (this.timers.delete(timer)) run(); }, wait).unref(),
    };
    this.timers.add(timer);
    return { cancel: () => { if (this.timers.delete(timer)) clearTimeout(timer.handle); } };
  }

  /** When the earliest pending timer is due; undefined when none is pending. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const t of this.timers) if (due === undefined || t.due < due) due = t.due;
    return due;
  }

  /** Jumps forward to `time` (never back) and fires every timer due by then, earliest first. */
  skipTo(time: number): void {
    const now = this.now();
    if (time > now) this.ahead += time - now;
    const due = [...this.timers].filter((t) => t.due <= time).sort((a, b) => a.due - b.due || a.seq - b.seq);
    for (const t of due) {
      if (!this.timers.delete(t)) continue;
      clearTimeout(t.handle);
      t.run();
    }
  }
}
