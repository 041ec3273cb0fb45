import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Annotations, type Template } from 'aws-cdk-lib/assertions';
import { Delivery } from '../../lib/constructs/index.ts';
import { cleanup, newFlow, template } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: ReadonlyArray<ReadonlyArray<unknown>>;
    readonly alarms?: readonly string[];
    readonly annotations?: { readonly horizontal?: ReadonlyArray<{ value: number; label: string }> };
  };
}

/** The dashboard's widgets, with every CloudFormation token in the body replaced by 'TOKEN'. */
function widgets(t: Template): Widget[] {
  const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: unknown } }>;
  assert.equal(dashboards.length, 1);
  const body = dashboards[0]!.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** 'namespace/metric name' of every line a graph draws, or 'expr:…' for a math expression (its inputs are hidden lines). */
function metricsOf(w: Widget): string[] {
  return (w.properties.metrics ?? []).flatMap((m) => {
    const options = m[m.length - 1];
    if (typeof options === 'object' && options !== null && (options as { visible?: boolean }).visible === false) return [];
    const first = m[0];
    if (typeof first === 'object' && first !== null && 'expression' in first) return [`expr:${(first as { expression: string }).expression}`];
    return [`${String(m[0])}/${String(m[1])}`];
  });
}

function graphs(all: Widget[], sub: string): Map<string, string[]> {
  return new Map(all.filter((w) => w.type === 'metric' && w.properties.title?.startsWith(`${sub}:`)).map((w) => [w.properties.title!.slice(sub.length + 2), metricsOf(w)]));
}

test('addDashboard makes one dashboard with, per subscription, a graph of each service level indicator', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  f.flow.addDashboard();
  const g = graphs(widgets(template(f)), 'reserve-inventory');
  assert.deepEqual([...g.keys()], [
    'end-to-end latency (ms)',
    'lag, oldest event (s)',
    'throughput (records)',
    'success and error rate (%)',
    'failures',
    'duplicates suppressed',
    'dead-letter queue',
    'handler duration (ms)',
  ]);
  assert.deepEqual(g.get('end-to-end latency (ms)'), ['Busline/EndToEndLatency', 'Busline/EndToEndLatency']);
  assert.deepEqual(g.get('lag, oldest event (s)'), ['AWS/SQS/ApproximateAgeOfOldestMessage']);
  assert.deepEqual(g.get('throughput (records)'), ['expr:processed + duplicate + retried + deadlettered', 'Busline/Processed']);
  assert.deepEqual(g.get('success and error rate (%)'), [
    'expr:100 * (processed + duplicate) / (processed + duplicate + retried + deadlettered)',
    'expr:100 * failed / (processed + duplicate + retried + deadlettered)',
  ]);
  // Schema failures apart from handler errors.
  assert.deepEqual(g.get('failures')?.sort(), ['Busline/DeadLettered', 'Busline/Invalid', 'Busline/Retried', 'expr:failed - invalid']);
  assert.deepEqual(g.get('duplicates suppressed'), ['Busline/Duplicate']);
  assert.deepEqual(g.get('dead-letter queue'), ['AWS/SQS/ApproximateNumberOfMessagesVisible', 'AWS/Events/InvocationsSentToDlq']);
  assert.deepEqual(g.get('handler duration (ms)'), ['Busline/HandlerDuration', 'Busline/HandlerDuration', 'Busline/HandlerDuration']);
});

test("each subscription's section shows the state of all its alarms", () => {
  const f = newFlow({ slo: { latencyP99: Duration.seconds(2), maxLag: Duration.minutes(1), errorRate: 5 } });
  f.flow.addDashboard();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const status = widgets(template(f)).filter((w) => w.type === 'alarm');
  assert.equal(status.length, 1);
  assert.equal(status[0]!.properties.title, 'reserve-inventory alarms');
  assert.equal(status[0]!.properties.alarms!.length, 4);
});

test('objectives are drawn on their graphs: latency in ms, queue lag in seconds, direct lag in ms, error rate in percent', () => {
  const f = newFlow({ slo: { latencyP99: Duration.seconds(2), maxLag: Duration.minutes(1), errorRate: 5 } });
  f.flow.addDashboard();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  f.flow.addSubscription('notify-customer', { topic: f.shipmentScheduled, handler: 'functions/notify-customer.ts', delivery: Delivery.direct() });
  const all = widgets(template(f));
  const line = (title: string): number[] => (all.find((w) => w.properties.title === title)?.properties.annotations?.horizontal ?? []).map((h) => h.value);
  assert.deepEqual(line('reserve-inventory: end-to-end latency (ms)'), [2000]);
  assert.deepEqual(line('reserve-inventory: lag, oldest event (s)'), [60]);
  assert.deepEqual(line('notify-customer: lag, oldest event (ms)'), [60_000]);
  assert.deepEqual(line('reserve-inventory: success and error rate (%)'), [5]);
});

test('subscriptions added before and after addDashboard are all on it, each once', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  f.flow.addDashboard('Slo', { dashboardName: 'orders-slo' });
  f.flow.addSubscription('customer-history', { topic: f.orderPlaced, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'customerId' }) });
  const t = template(f);
  t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-slo' });
  const headers = widgets(t).filter((w) => w.type === 'text' && w.properties.markdown?.startsWith('## ')).map((w) => w.properties.markdown!.split('\n')[0]);
  assert.deepEqual(headers, ['## reserve-inventory', '## customer-history']);
});

test('a flow has at most one dashboard: a second addDashboard fails synth naming the first', () => {
  const f = newFlow();
  f.flow.addDashboard();
  assert.throws(() => f.flow.addDashboard('Other'), /already has its dashboard \(TestStack\/Orders\/Dashboard\)/);
});

test('the dashboard and the SLO alarms synthesize without warnings', () => {
  const f = newFlow({ slo: { latencyP99: Duration.seconds(2), maxLag: Duration.minutes(1), errorRate: 5 } });
  f.flow.addDashboard();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  template(f);
  assert.deepEqual(Annotations.fromStack(f.stack).findWarning('*', {}), []);
});
