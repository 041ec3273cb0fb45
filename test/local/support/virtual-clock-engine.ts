/**
 * The engine on busline/testing's VirtualClock for a test file: time moves only when a test
 * says so (`await clock.advance(ms)`).
 */
import { after, before } from 'node:test';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { VirtualClock } from '../../../lib/testing/virtual-clock.ts';
import { startEngine, type EngineFixture } from './engine-fixture.ts';

/** A fixed start, so the times tests read are the same every run. */
export const CLOCK_START = Date.parse('2026-01-01T00:00:00Z');

/**
 * Registers hooks that start one engine on a VirtualClock for the test file and stop it afterwards.
 * `sqs()` is the engine's SQS client (valid inside tests).
 */
export function engineOnVirtualClock(): { readonly clock: VirtualClock; sqs(): SQSClient } {
  const clock = new VirtualClock(CLOCK_START);
  let fixture: EngineFixture | undefined;
  before(async () => {
    fixture = await startEngine({ clock });
  });
  after(() => fixture?.close());
  return { clock, sqs: () => fixture!.sqs };
}
