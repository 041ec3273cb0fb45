/**
 * CloudFormation allows 500 resources per stack. These pin what a subscription costs per
 * delivery mode and prove that a 45-subscription queue flow synthesizes with aws-cdk-lib's
 * stack resource limit check at its default (on, 500).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Delivery, EventFlow } from '../../lib/constructs/index.ts';
import { cdkJsonContext, cleanup, newFlow, projectWith, ROOT, tempDir } from './helpers.ts';

after(cleanup);

const STACK_RESOURCE_LIMIT = 500;
const handler = 'functions/reserve-inventory.ts';

/** Resource types of a subscription named 'one', in a fresh flow of only that subscription. */
function resourcesOfOneSubscription(delivery: Delivery): string[] {
  const f = newFlow();
  f.flow.addSubscription('one', { topic: f.orderPlaced, handler, delivery });
  const resources = f.app.synth().getStackByName(f.stack.stackName).template.Resources as Record<string, { Type: string }>;
  // Logical ids of a construct's resources start with its path's PascalCase ids: Orders/One → OrdersOne.
  return Object.entries(resources)
    .filter(([id]) => id.startsWith('OrdersOne'))
    .map(([, r]) => r.Type)
    .sort();
}

test('a queue subscription is 10 resources: rule, queue, DLQ, one queue policy, alarm, role, role policy, log group, function, event source mapping', () => {
  assert.deepEqual(resourcesOfOneSubscription(Delivery.queue()), [
    'AWS::CloudWatch::Alarm',
    'AWS::Events::Rule',
    'AWS::IAM::Policy',
    'AWS::IAM::Role',
    'AWS::Lambda::EventSourceMapping',
    'AWS::Lambda::Function',
    'AWS::Logs::LogGroup',
    'AWS::SQS::Queue',
    'AWS::SQS::Queue',
    'AWS::SQS::QueuePolicy',
  ]);
});

test('an ordered subscription is 12 resources: the queue set plus a standard delivery DLQ and its alarm', () => {
  assert.deepEqual(resourcesOfOneSubscription(Delivery.ordered({ messageGroupPath: 'customerId' })), [
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::Alarm',
    'AWS::Events::Rule',
    'AWS::IAM::Policy',
    'AWS::IAM::Role',
    'AWS::Lambda::EventSourceMapping',
    'AWS::Lambda::Function',
    'AWS::Logs::LogGroup',
    'AWS::SQS::Queue',
    'AWS::SQS::Queue',
    'AWS::SQS::Queue',
    'AWS::SQS::QueuePolicy',
  ]);
});

test('a direct subscription is 10 resources: rule, invoke permission, DLQ, its policy, alarm, role, role policy, log group, function, async invoke config', () => {
  assert.deepEqual(resourcesOfOneSubscription(Delivery.direct()), [
    'AWS::CloudWatch::Alarm',
    'AWS::Events::Rule',
    'AWS::IAM::Policy',
    'AWS::IAM::Role',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::Logs::LogGroup',
    'AWS::SQS::Queue',
    'AWS::SQS::QueuePolicy',
  ]);
});

test("the stack resource limit check is on in the project's context, and fails synth over the limit", () => {
  assert.equal(cdkJsonContext()['@aws-cdk/core:stackResourceLimit'], undefined, 'cdk.json leaves the limit at its default');
  // The check the 45-subscription test relies on, shown to bite: a limit below this small flow's count.
  const app = new App({ outdir: tempDir('busline-cdk-out-'), context: { ...cdkJsonContext(), '@aws-cdk/core:stackResourceLimit': 10 } });
  const stack = new Stack(app, 'Small');
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT });
  flow.addSubscription('one', { topic: flow.addTopic('order.placed', { source: 'shop.orders' }), handler });
  assert.throws(() => app.synth(), /Number of resources in stack 'Small': \d+ is greater than allowed maximum of 10/);
});

test('a flow of 45 queue subscriptions synthesizes with the stack resource limit check on, under 500 resources', () => {
  const count = 45;
  const names = Array.from({ length: count }, (_, i) => `handler-${i}`);
  // One distinct handler file per subscription, as a user's project would have.
  const project = projectWith(Object.fromEntries(names.map((n, i) => [
    `functions/${n}.ts`,
    `export default async function handle(data: { orderId: string }): Promise<void> {\n  if (!data.orderId) throw new Error('subscription ${i}: no orderId');\n}\n`,
  ])));
  const app = new App({ outdir: tempDir('busline-cdk-out-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'FortyFive');
  const flow = new EventFlow(stack, 'Orders', { rootDir: project, schemasDir: join(ROOT, 'schemas') });
  const topic = flow.addTopic('order.placed', { source: 'shop.orders' });
  for (const n of names) flow.addSubscription(n, { topic, handler: `functions/${n}.ts`, delivery: Delivery.queue() });

  const template = app.synth().getStackByName('FortyFive').template as { Resources: Record<string, { Type: string }> };
  const resources = Object.values(template.Resources);
  assert.ok(resources.length < STACK_RESOURCE_LIMIT, `${resources.length} resources`);
  assert.equal(resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping').length, count);
  // The flow's own resources (bus, archive, dedupe table, schema registry and schemas) plus 10 per subscription.
  const perSubscription = (resources.length - resourcesOfEmptyFlow()) / count;
  assert.equal(perSubscription, 10);
});

/** Resources of the same flow (one topic) with no subscription. */
function resourcesOfEmptyFlow(): number {
  const app = new App({ outdir: tempDir('busline-cdk-out-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'Empty');
  new EventFlow(stack, 'Orders', { rootDir: ROOT }).addTopic('order.placed', { source: 'shop.orders' });
  return Object.keys(app.synth().getStackByName('Empty').template.Resources as object).length;
}
