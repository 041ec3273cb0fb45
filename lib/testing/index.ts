/**
 * `busline/testing`: flow tests from any test runner (node:test, jest, vitest). Start the flow
 * declared in your CDK stack in the local engine, publish events, wait until they are handled,
 * and assert on what happened: which subscriptions handled each event and how, what their
 * handlers logged, what they published, and what is on their DLQs. See docs/testing.md.
 *
 * ```ts
 * import { startFlow } from 'busline/testing';
 *
 * const flow = await startFlow(stack);
 * const lineage = await flow.waitForHandled(await flow.publish('user.signed-up', user));
 * await flow.stop();
 * ```
 */
export { startFlow, type StartFlowOptions, type FlowUnderTest, type PublishedFlowEvent, type WaitOptions } from './start-flow.ts';
export type { FlowSource } from './assembly-source.ts';
export type { EventLineage, Handling, HandlingOutcome } from './lineage.ts';
export type { FlowLogLine } from './log-lines.ts';
export type { DeadLetter } from './dead-letters.ts';
export { FlowTimeoutError, FlowStartError } from './errors.ts';
export { PayloadInvalidError } from '../cli/schema-check.ts';
export type { PublishMetadata } from '../runtime/index.ts';
export type { LocalSubscription, DeliveryMode } from '../local/index.ts';
