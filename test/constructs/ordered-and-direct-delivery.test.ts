import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Delivery } from '../../lib/constructs/index.ts';
import { cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

/** The ordered subscription these specs look at: customer-history, grouped by customerId. */
function addCustomerHistory(f: ReturnType<typeof newFlow>) {
  return f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced,
    handler: 'functions/customer-history.ts',
    delivery: Delivery.ordered({ messageGroupPath: 'customerId' }),
  });
}

test('ordered delivery uses a FIFO queue whose message group is read from the data path of each event', () => {
  const f = newFlow();
  const sub = addCustomerHistory(f);
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryQueue');
  assert.equal(queue.props.FifoQueue, true);
  assert.equal(queue.props.ContentBasedDeduplication, true);
  t.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] }, SqsParameters: { MessageGroupId: '$.detail.data.customerId' } })],
  });
  t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: Match.absent(),
  });
  assert.equal(sub.config.delivery, 'ordered');
});

test('ordered delivery redrives to a FIFO DLQ, while rule delivery failures go to a standard DLQ (EventBridge cannot use FIFO DLQs)', () => {
  const f = newFlow();
  const sub = addCustomerHistory(f);
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryQueue');
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryDlq');
  const deliveryDlq = resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryDeliveryDlq');
  assert.equal(dlq.props.FifoQueue, true);
  assert.equal(deliveryDlq.props.FifoQueue, undefined);
  assert.deepEqual(queue.props.RedrivePolicy.deadLetterTargetArn, { 'Fn::GetAtt': [dlq.id, 'Arn'] });
  t.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deliveryDlq.id, 'Arn'] } } })],
  });
  t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  assert.notEqual(sub.deadLetterQueue, sub.deliveryDeadLetterQueue);
});

test("the flow manifest names an ordered subscription's delivery DLQ and message group path, so the CLI finds that DLQ too", () => {
  const f = newFlow();
  addCustomerHistory(f);
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct() });
  const t = template(f);
  const [ordered, direct] = f.flow.manifest().subscriptions;
  assert.equal(ordered!.resources.deliveryDlq, resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryDeliveryDlq').id);
  assert.equal(ordered!.resources.dlq, resourceOf(t, 'AWS::SQS::Queue', 'CustomerHistoryDlq').id);
  assert.equal(ordered!.messageGroupPath, 'customerId');
  assert.equal(direct!.resources.deliveryDlq, undefined, 'one DLQ takes both kinds of failure');
  assert.equal(direct!.messageGroupPath, undefined);
});

test('ordered delivery: one queue policy denies non-TLS access to all three queues and lets only this rule send to the FIFO queue and the delivery DLQ', () => {
  const f = newFlow();
  addCustomerHistory(f);
  const t = template(f);
  const [queue, dlq, deliveryDlq] = ['CustomerHistoryQueue', 'CustomerHistoryDlq', 'CustomerHistoryDeliveryDlq'].map((id) => resourceOf(t, 'AWS::SQS::Queue', id).id);
  const rule = resourceOf(t, 'AWS::Events::Rule', 'CustomerHistoryRule');
  const arn = (id: string | undefined) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  t.resourceCountIs('AWS::SQS::QueuePolicy', 1);
  const policy = resourceOf(t, 'AWS::SQS::QueuePolicy', 'CustomerHistory');
  assert.deepEqual(policy.props.Queues, [{ Ref: queue }, { Ref: dlq }, { Ref: deliveryDlq }]);
  const statements = policy.props.PolicyDocument.Statement as Array<Record<string, any>>;
  const deny = statements.filter((s) => s.Effect === 'Deny');
  assert.deepEqual(deny.map((s) => [s.Action, s.Condition, s.Resource]), [
    ['sqs:*', { Bool: { 'aws:SecureTransport': 'false' } }, [arn(deliveryDlq), arn(dlq), arn(queue)]],
  ]);
  const allows = statements.filter((s) => s.Effect === 'Allow');
  assert.deepEqual(allows.map((s) => [s.Principal, s.Resource, s.Condition]), [
    [{ Service: 'events.amazonaws.com' }, arn(queue), { ArnEquals: { 'aws:SourceArn': arn(rule.id) } }],
    [{ Service: 'events.amazonaws.com' }, arn(deliveryDlq), { ArnEquals: { 'aws:SourceArn': arn(rule.id) } }],
  ]);
});

test("the rule's delivery failures may reach the DLQ of a direct subscription only from this rule, over TLS, through its one queue policy", () => {
  const f = newFlow();
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct() });
  const t = template(f);
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'NotifyCustomerDlq');
  const rule = resourceOf(t, 'AWS::Events::Rule', 'NotifyCustomerRule');
  t.resourceCountIs('AWS::SQS::QueuePolicy', 1);
  const policy = resourceOf(t, 'AWS::SQS::QueuePolicy', 'NotifyCustomer');
  assert.deepEqual(policy.props.Queues, [{ Ref: dlq.id }]);
  const statements = policy.props.PolicyDocument.Statement as Array<Record<string, any>>;
  assert.deepEqual(statements.map((s) => [s.Effect, s.Action, s.Resource, s.Condition]), [
    ['Deny', 'sqs:*', { 'Fn::GetAtt': [dlq.id, 'Arn'] }, { Bool: { 'aws:SecureTransport': 'false' } }],
    ['Allow', 'sqs:SendMessage', { 'Fn::GetAtt': [dlq.id, 'Arn'] }, { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule.id, 'Arn'] } } }],
  ]);
});

test('direct delivery invokes the function from the rule, without a queue', () => {
  const f = newFlow();
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct() });
  const t = template(f);
  const fn = resourceOf(t, 'AWS::Lambda::Function', 'NotifyCustomerFunction');
  const rule = resourceOf(t, 'AWS::Events::Rule', 'NotifyCustomerRule');
  t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  assert.equal(Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) => id.includes('NotifyCustomerQueue')).length, 0);
  t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn.id, 'Arn'] } })] });
  t.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    SourceArn: { 'Fn::GetAtt': [rule.id, 'Arn'] },
  });
});

test("direct delivery retries through Lambda (maxAttempts − 1), within maxEventAge, then sends the event to the DLQ", () => {
  const f = newFlow();
  f.flow.addSubscription('notify-customer', {
    topic: f.shipmentScheduled,
    handler: 'functions/notify-customer.ts',
    delivery: Delivery.direct(),
    maxAttempts: 2,
    maxEventAge: Duration.hours(1),
  });
  const t = template(f);
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'NotifyCustomerDlq');
  t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    MaximumRetryAttempts: 1,
    MaximumEventAgeInSeconds: 3600,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq.id, 'Arn'] } } },
  });
  t.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq.id, 'Arn'] } },
    })],
  });
});

test('direct delivery defaults to 3 attempts (2 Lambda retries) and a 6-hour maximum event age', () => {
  const f = newFlow();
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct() });
  template(f).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
});
