/**
 * Virtual time for the local engine (lib/local/clock.ts's Clock): it stands still until told to
 * move, then fires what falls due in time order. A flow test moves five minutes of backoff in
 * a few milliseconds of wall time.
 */
import type { Clock, ClockTimer } from '../local/clock.ts';

interface Timer {
  readonly due: number;
  /** Order of scheduling: timers due at the same time fire in the order they were set. */
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** What runs between two timers of one advance: lets the work the last one started finish. */
export type BetweenTimers = () => Promise<void>;

export class VirtualClock implements Clock {
  private at: number;
  private timers: Timer[] = [];
  private seq = 0;

  /** @param start the time it shows first, in ms since the epoch. @default Date.now() */
  constructor(start: number = Date.now()) {
    this.at = start;
  }

  now(): number {
    return this.at;
  }

  after(ms: number, run: () => void): ClockTimer {
    const timer: Timer = { due: this.at + Math.max(0, ms), seq: this.seq++, run, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** When the earliest pending timer is due; undefined when none is pending. */
  nextDue(): number | undefined {
    return this.earliest()?.due;
  }

  /** Due times of the pending timers, earliest first. */
  pending(): number[] {
    return this.live().map((t) => t.due).sort((a, b) => a - b);
  }

  /**
   * Moves to the earliest timer due at or before `until` and fires it. False (and the time
   * unchanged) when none is due by then.
   */
  fireNext(until: number): boolean {
    const next = this.earliest();
    if (!next || next.due > until) return false;
    this.timers = this.timers.filter((t) => t !== next);
    this.at = Math.max(this.at, next.due);
    next.run();
    return true;
  }

  /**
   * Moves the time forward by `ms`, firing every timer that falls due on the way in time order,
   * and running `between` before each timer and at the end (the work a timer started may set
   * the next one).
   */
  async advance(ms: number, between: BetweenTimers = async () => {}): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance: ${ms} ms is not a duration (0 or more milliseconds)`);
    const until = this.at + ms;
    await between();
    while (this.fireNext(until)) await between();
    this.at = until;
    await between();
  }

  private live(): Timer[] {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return this.timers;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.live()) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }
}
