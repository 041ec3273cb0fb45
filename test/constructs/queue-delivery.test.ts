import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Backoff, Delivery } from '../../lib/constructs/index.ts';
import { cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';

test('the rule matches the topic by source and detail-type on the flow bus', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const bus = resourceOf(t, 'AWS::Events::EventBus', 'Bus');
  t.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: bus.id },
    EventPattern: { source: ['shop.orders'], 'detail-type': ['order.placed'], detail: Match.absent() },
  });
});

test('a content filter on data fields is placed under detail.data in the rule pattern', () => {
  const f = newFlow();
  const filter = { currency: ['EUR', 'USD'], total: [{ numeric: ['>', 100] }], items: { sku: [{ prefix: 'BOOK-' }] } };
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, filter });
  template(f).hasResourceProperties('AWS::Events::Rule', {
    EventPattern: { source: ['shop.orders'], 'detail-type': ['order.placed'], detail: { data: filter } },
  });
});

test('queue delivery is the default: rule → SQS queue → Lambda with ReportBatchItemFailures, batch size 10', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  const fn = resourceOf(t, 'AWS::Lambda::Function', 'ReserveInventoryFunction');
  t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } })] });
  t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [queue.id, 'Arn'] },
    FunctionName: { Ref: fn.id },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: Match.absent(),
    ScalingConfig: Match.absent(),
  });
  assert.equal(sub.delivery.mode, 'queue');
  assert.equal(sub.config.delivery, 'queue');
});

test('batchSize, maxBatchingWindow and maxConcurrency reach the event source mapping', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', {
    topic: f.orderPlaced,
    handler,
    delivery: Delivery.queue({ batchSize: 100, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 5 }),
  });
  template(f).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 5,
    ScalingConfig: { MaximumConcurrency: 5 },
  });
});

test('the queue visibility timeout defaults to 6 × the function timeout', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, timeout: Duration.seconds(20) });
  const t = template(f);
  assert.equal(resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue').props.VisibilityTimeout, 120);
  t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 20 });
});

test('an explicit visibility timeout of at least 6 × the function timeout is kept', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, delivery: Delivery.queue({ visibilityTimeout: Duration.minutes(10) }) });
  assert.equal(resourceOf(template(f), 'AWS::SQS::Queue', 'ReserveInventoryQueue').props.VisibilityTimeout, 600);
});

// The runtime dead-letters after maxAttempts with its reason; the queue's redrive is a safety net
// set above it, since SQS counts every receive, also those in which a record was not attempted
// ("Using dead-letter queues in Amazon SQS", SQS Developer Guide,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html;
// maxReceiveCount 1–1,000, "RedrivePolicy" in the SetQueueAttributes API reference).
test('the redrive to the DLQ is a safety net with headroom: maxReceiveCount = maxAttempts × (batchSize + 1), at most 1,000', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  f.flow.addSubscription('schedule-shipment', { topic: f.inventoryReserved, handler: 'functions/schedule-shipment.ts', maxAttempts: 7, delivery: Delivery.queue({ batchSize: 4 }) });
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', maxAttempts: 200 });
  const t = template(f);
  const reserve = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  const reserveDlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  assert.deepEqual(reserve.props.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [reserveDlq.id, 'Arn'] }, maxReceiveCount: 33 });
  assert.equal(resourceOf(t, 'AWS::SQS::Queue', 'ScheduleShipmentQueue').props.RedrivePolicy.maxReceiveCount, 35);
  assert.equal(resourceOf(t, 'AWS::SQS::Queue', 'NotifyCustomerQueue').props.RedrivePolicy.maxReceiveCount, 1000);
});

test('backoff and maxAttempts are baked into the runtime configuration', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', {
    topic: f.orderPlaced,
    handler,
    maxAttempts: 5,
    backoff: Backoff.exponential({ base: Duration.seconds(1), max: Duration.minutes(1) }),
  });
  assert.deepEqual(sub.config.retry, { maxAttempts: 5, backoffBaseSeconds: 1, backoffMaxSeconds: 60 });
  const fixed = f.flow.addSubscription('schedule-shipment', { topic: f.inventoryReserved, handler: 'functions/schedule-shipment.ts', backoff: Backoff.fixed(Duration.seconds(10)) });
  assert.deepEqual(fixed.config.retry, { maxAttempts: 3, backoffBaseSeconds: 10, backoffMaxSeconds: 10 });
});

test('the rule target retries deliveries and sends what it cannot deliver to the DLQ, within maxEventAge', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, maxEventAge: Duration.hours(2) });
  const t = template(f);
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  t.hasResourceProperties('AWS::Events::Rule', {
    Targets: [Match.objectLike({
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 7200 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq.id, 'Arn'] } },
    })],
  });
});

test('queues are SSE-encrypted and kept 4 days; the DLQ keeps messages 14 days, is SSE-encrypted and alarms on any visible message', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  assert.equal(queue.props.SqsManagedSseEnabled, true);
  assert.equal(queue.props.MessageRetentionPeriod, 4 * 86400);
  assert.equal(dlq.props.MessageRetentionPeriod, 14 * 86400);
  assert.equal(dlq.props.SqsManagedSseEnabled, true);
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Namespace: 'AWS/SQS',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq.id, 'QueueName'] } }],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});

test('one queue policy covers the queue and its DLQ: it denies non-TLS access to both and lets only this rule send to either', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  const rule = resourceOf(t, 'AWS::Events::Rule', 'ReserveInventoryRule');
  t.resourceCountIs('AWS::SQS::QueuePolicy', 1);
  const policy = resourceOf(t, 'AWS::SQS::QueuePolicy', 'ReserveInventory');
  assert.deepEqual(policy.props.Queues, [{ Ref: queue.id }, { Ref: dlq.id }]);
  const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const fromRule = { ArnEquals: { 'aws:SourceArn': arn(rule.id) } };
  const statements = policy.props.PolicyDocument.Statement as Array<Record<string, any>>;
  assert.deepEqual(statements.map((s) => [s.Effect, s.Principal, s.Action, s.Resource, s.Condition]), [
    ['Deny', { AWS: '*' }, 'sqs:*', [arn(dlq.id), arn(queue.id)], { Bool: { 'aws:SecureTransport': 'false' } }],
    // Delivery: the rule's target.
    ['Allow', { Service: 'events.amazonaws.com' }, ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], arn(queue.id), fromRule],
    // The rule's delivery failures: its target's DeadLetterConfig.
    ['Allow', { Service: 'events.amazonaws.com' }, 'sqs:SendMessage', arn(dlq.id), fromRule],
  ]);
});

test('a grant a user adds to a subscription queue lands in the shared policy, naming that queue only', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  sub.deadLetterQueue.grantSendMessages(new iam.ServicePrincipal('sns.amazonaws.com'));
  const t = template(f);
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  t.resourceCountIs('AWS::SQS::QueuePolicy', 1);
  const statements = resourceOf(t, 'AWS::SQS::QueuePolicy', 'ReserveInventory').props.PolicyDocument.Statement as Array<Record<string, any>>;
  const sns = statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'sns.amazonaws.com' }));
  assert.deepEqual(sns.map((s) => s.Resource), [{ 'Fn::GetAtt': [dlq.id, 'Arn'] }]);
});

test('rule metrics carry the bus and rule names; DLQ metrics the DLQ name', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const failed = f.stack.resolve(sub.metricFailedInvocations().toMetricConfig().metricStat);
  assert.equal(failed.namespace, 'AWS/Events');
  assert.equal(failed.metricName, 'FailedInvocations');
  assert.equal(failed.statistic, 'Sum');
  assert.deepEqual(failed.dimensions.map((d: { name: string }) => d.name).sort(), ['EventBusName', 'RuleName']);
  assert.equal(f.stack.resolve(sub.metricInvocationsSentToDlq().toMetricConfig().metricStat).metricName, 'InvocationsSentToDlq');
  assert.equal(f.stack.resolve(sub.metricMatchedEvents().toMetricConfig().metricStat).metricName, 'MatchedEvents');
  const dlq = f.stack.resolve(sub.metricDlqApproximateNumberOfMessagesVisible().toMetricConfig().metricStat);
  assert.equal(dlq.namespace, 'AWS/SQS');
  assert.equal(dlq.statistic, 'Maximum');
});
