/**
 * The flow the operations CLI specs run on (handlers and schemas of the greetings fixture):
 * `greet` takes `greeting.sent` through a queue, `refuse` takes it directly (rule → Lambda, no
 * retries, fails on every event), and `record` takes `greeting.recorded` through a queue.
 * `extend` adds subscriptions of a spec's own to the same flow.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Delivery, EventFlow, type Topic } from 'busline';
import { GREETINGS_DIR } from '../../fixtures/greetings-flow/stack.ts';

export const OPS_STACK = 'Ops';

/** An ordered subscription `tally` (handlers/tally.ts), grouped by the greeting's name: its rule's delivery failures have a DLQ of their own. */
export const withOrderedTally: ExtendOpsFlow = (flow, { sent }) => {
  flow.addSubscription('tally', { topic: sent, handler: 'handlers/tally.ts', delivery: Delivery.ordered({ messageGroupPath: 'name' }) });
};

export type ExtendOpsFlow = (flow: EventFlow, topics: { readonly sent: Topic; readonly recorded: Topic }) => void;

export function opsFlowStack(account: string, region: string, extend?: ExtendOpsFlow): Stack {
  const app = new App();
  const stack = new Stack(app, OPS_STACK, { env: { account, region } });
  const flow = new EventFlow(stack, 'Greetings', { rootDir: GREETINGS_DIR, schemaRegistry: false });
  const sent = flow.addTopic('greeting.sent', { source: 'test.greetings' });
  const recorded = flow.addTopic('greeting.recorded', { source: 'test.greetings' });
  flow.addSubscription('greet', { topic: sent, handler: 'handlers/greet.ts', publishes: [recorded] });
  flow.addSubscription('record', { topic: recorded, handler: 'handlers/record.ts' });
  flow.addSubscription('refuse', { topic: sent, handler: 'handlers/refuse.ts', filter: { name: ['Mallory'] }, delivery: Delivery.direct(), maxAttempts: 1 });
  extend?.(flow, { sent, recorded });
  return stack;
}
