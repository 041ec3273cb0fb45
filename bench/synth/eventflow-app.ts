/**
 * The synth bench's Busline app: an N-subscription queue flow declared with EventFlow, as
 * a user would (one topic, N subscriptions each with its own handler file).
 */
import { Stack, type App } from 'aws-cdk-lib';
import { Delivery, EventFlow } from '../../lib/constructs/index.ts';
import { ROOT } from '../lib/machine.ts';
import { SCHEMAS_DIR, SOURCE, subscriptionName, TOPIC } from './handlers.ts';

export function buildEventFlowStack(app: App, handlerFiles: readonly string[]): Stack {
  const stack = new Stack(app, 'FlowOrders', { env: { account: '123456789012', region: 'us-east-1' } });
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT, schemasDir: SCHEMAS_DIR });
  const topic = flow.addTopic(TOPIC, { source: SOURCE });
  handlerFiles.forEach((handler, i) => {
    flow.addSubscription(subscriptionName(i), { topic, handler, delivery: Delivery.queue() });
  });
  return stack;
}
