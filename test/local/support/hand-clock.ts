/** A test clock for the engine (lib/local/clock.ts): time moves only when a test says so. */
import { after, before } from 'node:test';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock, ClockTimer } from '../../../lib/local/clock.ts';
import { startEngine, type EngineFixture } from './engine-fixture.ts';

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

/**
 * Registers hooks that start one engine on a HandClock for the test file and stop it afterwards.
 * `sqs()` is the engine's SQS client (valid inside tests).
 */
export function engineOnHandClock(): { readonly clock: HandClock; sqs(): SQSClient } {
  const clock = new HandClock();
  let fixture: EngineFixture | undefined;
  before(async () => {
    fixture = await startEngine({ clock });
  });
  after(() => fixture?.close());
  return { clock, sqs: () => fixture!.sqs };
}
