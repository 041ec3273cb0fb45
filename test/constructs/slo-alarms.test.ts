import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Delivery, EventFlow } from '../../lib/constructs/index.ts';
import { ROOT, cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';
const slo = { latencyP99: Duration.seconds(5), maxLag: Duration.minutes(2), errorRate: 1 };
/** 3 of the last 5 one-minute periods, no breach without data: every SLO alarm. */
const evaluation = { Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' };

test('without objectives a subscription has its dead-letter alarm only: no SLO alarm, no dashboard', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  t.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  t.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
});

test('latencyP99 alarms on the p99 of the runtime EndToEndLatency metric of the subscription, threshold in milliseconds', () => {
  const f = newFlow({ slo: { latencyP99: Duration.seconds(5) } });
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  template(f).hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'Busline',
    MetricName: 'EndToEndLatency',
    Dimensions: Match.arrayWith([{ Name: 'Flow', Value: 'Orders' }, { Name: 'Subscription', Value: 'reserve-inventory' }]),
    ExtendedStatistic: 'p99',
    Threshold: 5000,
    ...evaluation,
  });
});

// SQS reports ApproximateAgeOfOldestMessage in seconds (Amazon SQS Developer Guide, "Available
// CloudWatch metrics for Amazon SQS"); Lambda's AsyncEventAge, the time between queueing an
// asynchronous event and invoking the function, in milliseconds (AWS Lambda Developer Guide,
// "Types of metrics for Lambda functions", asynchronous invocation metrics,
// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
test("maxLag alarms on the age of the oldest message in the subscription's queue, threshold in seconds", () => {
  const f = newFlow({ slo: { maxLag: Duration.minutes(2) } });
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateAgeOfOldestMessage',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.id, 'QueueName'] } }],
    Statistic: 'Maximum',
    Threshold: 120,
    ...evaluation,
  });
});

test("maxLag on direct delivery alarms on the function's AsyncEventAge, threshold in milliseconds", () => {
  const f = newFlow({ slo: { maxLag: Duration.minutes(2) } });
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, delivery: Delivery.direct() });
  const t = template(f);
  const fn = resourceOf(t, 'AWS::Lambda::Function', 'ReserveInventoryFunction');
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/Lambda',
    MetricName: 'AsyncEventAge',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
    Threshold: 120_000,
    ...evaluation,
  });
});

test('errorRate alarms on failed records over records handled, in percent, from the runtime counts', () => {
  const f = newFlow({ slo: { errorRate: 2.5 } });
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const alarm = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { Threshold: 2.5 } }));
  assert.equal(alarm.length, 1);
  const props = (alarm[0] as { Properties: { Metrics: Array<{ Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string }; Period: number; Stat: string } }>; EvaluationPeriods: number } }).Properties;
  const expression = props.Metrics.find((m) => m.Expression);
  assert.equal(expression?.Expression, '100 * failed / (processed + duplicate + retried + deadlettered)');
  const read = props.Metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Stat, m.MetricStat!.Period]);
  for (const [id, name] of [['failed', 'Failed'], ['processed', 'Processed'], ['duplicate', 'Duplicate'], ['retried', 'Retried'], ['deadlettered', 'DeadLettered']]) {
    assert.ok(read.some((r) => r[0] === id && r[1] === 'Busline' && r[2] === name && r[3] === 'Sum' && r[4] === 60), `${id} reads Busline/${name}, summed per minute`);
  }
  assert.equal(props.EvaluationPeriods, 5);
});

test("a subscription's own objectives override the flow's field by field", () => {
  const f = newFlow({ slo });
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, slo: { latencyP99: Duration.millis(800) } });
  const t = template(f);
  assert.equal(Object.keys(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'EndToEndLatency', Threshold: 800 } })).length, 1);
  assert.equal(Object.keys(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 120 } })).length, 1);
  assert.equal(Object.keys(t.findResources('AWS::CloudWatch::Alarm', { Properties: { Threshold: 1 } })).length, 1);
  assert.deepEqual(sub.alarms.map((a) => a.node.id), ['DlqAlarm', 'LatencyAlarm', 'LagAlarm', 'ErrorRateAlarm']);
});

test('alarmAction is added to every alarm of the flow: dead-letter alarms and SLO alarms', () => {
  const f = newFlow();
  const pagerTopic = new sns.Topic(f.stack, 'Pager');
  const flow = new EventFlow(f.stack, 'Paged', { rootDir: ROOT, slo, alarmAction: new actions.SnsAction(pagerTopic) });
  const orderPlaced = flow.addTopic('order.placed', { source: 'shop.orders' });
  flow.addSubscription('reserve-inventory', { topic: orderPlaced, handler });
  flow.addSubscription('customer-history', { topic: orderPlaced, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'customerId' }) });
  const t = template(f);
  const pager = resourceOf(t, 'AWS::SNS::Topic', 'Pager');
  const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Paged'));
  // queue: DLQ + 3 SLO; ordered: DLQ + delivery DLQ + 3 SLO.
  assert.equal(alarms.length, 9);
  for (const [id, alarm] of alarms) {
    assert.deepEqual((alarm as { Properties: { AlarmActions?: unknown } }).Properties.AlarmActions, [{ Ref: pager.id }], `${id} notifies the topic`);
  }
});

test('objectives outside their ranges fail synth with the bad value and the allowed range', () => {
  const f = newFlow();
  assert.throws(() => f.flow.addSubscription('a', { topic: f.orderPlaced, handler, slo: { errorRate: 150 } }), /slo\.errorRate 150 is outside 0–100/);
  assert.throws(() => f.flow.addSubscription('b', { topic: f.orderPlaced, handler, slo: { latencyP99: Duration.seconds(0) } }), /slo\.latencyP99 0 seconds is not above zero/);
});

test('metricXxx() read the runtime metrics of the subscription: namespace Busline, dimensions Flow and Subscription', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const metrics = {
    EndToEndLatency: sub.metricEndToEndLatency(),
    HandlerDuration: sub.metricHandlerDuration(),
    Processed: sub.metricProcessed(),
    Failed: sub.metricFailed(),
    Retried: sub.metricRetried(),
    DeadLettered: sub.metricDeadLettered(),
    Invalid: sub.metricInvalid(),
    Duplicate: sub.metricDuplicate(),
  };
  for (const [name, m] of Object.entries(metrics)) {
    assert.deepEqual([m.namespace, m.metricName, m.dimensions], ['Busline', name, { Flow: 'Orders', Subscription: 'reserve-inventory' }]);
  }
  assert.equal(sub.metricEndToEndLatency().statistic, 'p99');
  assert.equal(sub.metricInvalid().statistic, 'Sum');
  assert.equal(sub.metricThroughput().expression, 'processed + duplicate + retried + deadlettered');
  assert.equal(sub.metricSuccessRate().expression, '100 * (processed + duplicate) / (processed + duplicate + retried + deadlettered)');
  assert.equal(sub.metricHandlerErrors().expression, 'failed - invalid');
  assert.equal(sub.metricLag().metricName, 'ApproximateAgeOfOldestMessage');
});
