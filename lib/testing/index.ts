/**
 * `busline/testing`: flow tests from any test runner (node:test, jest, vitest). Run the flow
 * declared in your CDK stack on the local engine in the test's process, on virtual time: publish
 * events, let the flow settle (retries, backoff and visibility timeouts pass in milliseconds),
 * and assert on what happened: what was published, delivered and dead-lettered and why, what
 * the handlers logged, what the tables hold. See docs/testing.md.
 *
 * ```ts
 * import { testFlow, assertDeadLettered } from 'busline/testing';
 *
 * const flow = await testFlow(stack);
 * await flow.publish('user.signed-up', user);
 * await flow.settle();
 * assertDeadLettered(flow, 'welcome-user', { attempts: 3 });
 * await flow.close();
 * ```
 *
 * `startFlow` runs the same engine on wall time, for tests that talk to it from outside.
 */
export {
  testFlow, flowOf, type TestFlowOptions, type FlowTest, type FlowFaults, type TestPublishOptions, type TestEvent,
  type Delivery, type Restorable,
} from './test-flow.ts';
export type { ReplacementHandler } from './function-overrides.ts';
export { VirtualClock, type BetweenTimers } from './virtual-clock.ts';
export type { Explanation, RuleVerdict } from './explain.ts';
export {
  assertPublished, assertNotPublished, assertDelivered, assertDeadLettered, assertDeduplicated,
  type AssertableFlow, type ExpectedDelivery, type ExpectedDeadLetter,
} from './assertions.ts';
export { flowMatchers, type FlowMatchers, type FlowMatcherResult } from './matchers.ts';
export { startFlow, type StartFlowOptions, type FlowUnderTest, type PublishedFlowEvent, type WaitOptions } from './start-flow.ts';
export type { FlowSource } from './assembly-source.ts';
export type { EventLineage, Handling, HandlingOutcome } from './lineage.ts';
export type { FlowLogLine } from './log-lines.ts';
export type { DeadLetter } from './dead-letters.ts';
export { FlowTimeoutError, FlowStartError } from './errors.ts';
export { PayloadInvalidError } from '../cli/schema-check.ts';
export type { PublishMetadata } from '../runtime/index.ts';
export type { LocalSubscription, DeliveryMode } from '../local/index.ts';
export { parseChaosProfile, ChaosProfileError, type ChaosProfile } from '../local/chaos/profile.ts';
