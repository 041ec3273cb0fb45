import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Delivery } from '../../lib/constructs/index.ts';
import { cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

test('ordered delivery uses a FIFO queue whose message group is read from the data path of each event', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced,
    handler: 'functions/customer-history.ts',
    delivery: Delivery.ordered({ messageGroupPath: 'customerId' }),
  });
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
  const sub = f.flow.addSubscription('customer-history', {
    topic: f.orderPlaced,
    handler: 'functions/customer-history.ts',
    delivery: Delivery.ordered({ messageGroupPath: 'customerId' }),
  });
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
