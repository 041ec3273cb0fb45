/**
 * The assertions as matchers for vitest's and jest's `expect.extend`:
 *
 * ```ts
 * import { flowMatchers } from 'busline/testing';
 * expect.extend(flowMatchers);
 * expect(flow).toHaveDeadLettered('welcome-user', { attempts: 3 });
 * expect(event).toHaveBeenDeduplicated('welcome-user');
 * ```
 *
 * A failure's message is the assertion's: what was expected, what there was, and the lineage.
 */
import {
  assertDeadLettered, assertDeduplicated, assertDelivered, assertPublished,
  type AssertableFlow, type ExpectedDeadLetter, type ExpectedDelivery,
} from './assertions.ts';
import type { TestEvent } from './test-flow.ts';

/** What a matcher returns to vitest and jest. */
export interface FlowMatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** The matchers' signatures, for declaring them on your runner's `Assertion` / `Matchers` type (see docs/testing.md). */
export interface FlowMatchers<R = unknown> {
  /** The flow published an event of `topic` (whose data contains `data`, when given). */
  toHavePublished(topic: string, data?: unknown): R;
  /** An event was delivered to `subscription` as expected (data, outcome, attempts). */
  toHaveDelivered(subscription: string, expected?: ExpectedDelivery): R;
  /** A message is on `subscription`'s DLQ as expected (data, reason, attempts). */
  toHaveDeadLettered(subscription: string, expected?: ExpectedDeadLetter): R;
  /** The event (as `publish` returned it) reached `subscription` more than once and was handled once. */
  toHaveBeenDeduplicated(subscription: string): R;
}

/** `this` of a matcher: only `isNot` is read (both runners set it). */
interface MatcherState {
  readonly isNot?: boolean;
}

function matcher<Args extends unknown[], Subject>(name: string, check: (subject: Subject, ...args: Args) => unknown) {
  return function (this: MatcherState, subject: Subject, ...args: Args): FlowMatcherResult {
    try {
      check(subject, ...args);
      return { pass: true, message: () => `expected not to match ${name}(${args.map((a) => JSON.stringify(a)).join(', ')}), but it did` };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'AssertionError') throw error;
      return { pass: false, message: () => error.message };
    }
  };
}

/** `expect.extend(flowMatchers)` in vitest or jest. */
export const flowMatchers = {
  toHavePublished: matcher('toHavePublished', (flow: AssertableFlow, topic: string, data?: unknown) => assertPublished(flow, topic, data)),
  toHaveDelivered: matcher('toHaveDelivered', (flow: AssertableFlow, subscription: string, expected?: ExpectedDelivery) => assertDelivered(flow, subscription, expected)),
  toHaveDeadLettered: matcher('toHaveDeadLettered', (flow: AssertableFlow, subscription: string, expected?: ExpectedDeadLetter) => assertDeadLettered(flow, subscription, expected)),
  toHaveBeenDeduplicated: matcher('toHaveBeenDeduplicated', (event: TestEvent, subscription: string) => assertDeduplicated(event, subscription)),
};
