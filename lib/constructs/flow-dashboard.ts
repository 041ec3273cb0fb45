import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Subscription } from './subscription.ts';

/** Options of `EventFlow.addDashboard()`. */
export interface FlowDashboardOptions {
  /**
   * Name of the CloudWatch dashboard.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  /**
   * Time range the dashboard opens with.
   * @default Duration.hours(3)
   */
  readonly defaultInterval?: Duration;
}

/** Props of a FlowDashboard; use `EventFlow.addDashboard()` to make one. */
export interface FlowDashboardProps extends FlowDashboardOptions {
  /** Name of the flow, in the dashboard's title. */
  readonly flowName: string;
}

const FULL_WIDTH = 24;
const GRAPH_WIDTH = 6;
const GRAPH_HEIGHT = 6;

/**
 * One CloudWatch dashboard for a flow: a section per subscription with its alarms and its
 * service level indicators, every graph reading the metrics the subscription's metricXxx()
 * methods return (the runtime's EMF metrics, and AWS's for lag and the dead-letter queue).
 * An objective set on the subscription is drawn on its graph as a horizontal line.
 */
export class FlowDashboard extends Construct {
  /** The CloudWatch dashboard (AWS::CloudWatch::Dashboard). */
  readonly dashboard: cloudwatch.Dashboard;
  private readonly shown = new Set<Subscription>();

  constructor(scope: Construct, id: string, props: FlowDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval ?? Duration.hours(3),
    });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `# Busline flow ${props.flowName}\nPer subscription: alarms, end-to-end latency (publish → handled), lag, throughput, success and error rates, failures (handler errors apart from schema failures), duplicates suppressed, dead-lettering and handler duration.`,
      width: FULL_WIDTH,
      height: 2,
    }));
  }

  /** Adds the subscription's section; `EventFlow` calls it for each of its subscriptions. */
  addSubscription(sub: Subscription): void {
    if (this.shown.has(sub)) return;
    this.shown.add(sub);
    const slo = sub.slo;
    const line = (value: number | undefined, label: string): cloudwatch.HorizontalAnnotation[] =>
      value === undefined ? [] : [{ value, label, color: cloudwatch.Color.RED }];
    const lagUnit = sub.queue ? 's' : 'ms';
    const lagObjective = slo.maxLag === undefined ? undefined : sub.queue ? slo.maxLag.toSeconds() : slo.maxLag.toMilliseconds();

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `## ${sub.name}\n\`${sub.topic.name}\` → ${sub.delivery.mode} delivery${objectivesText(sub)}`,
        width: FULL_WIDTH - GRAPH_WIDTH,
        height: 3,
      }),
      new cloudwatch.AlarmStatusWidget({ title: `${sub.name} alarms`, alarms: [...sub.alarms], width: GRAPH_WIDTH, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph(`${sub.name}: end-to-end latency (ms)`, [
        sub.metricEndToEndLatency({ statistic: cloudwatch.Stats.p(50), label: 'p50' }),
        sub.metricEndToEndLatency({ label: 'p99' }),
      ], line(slo.latencyP99?.toMilliseconds(), 'objective p99')),
      graph(`${sub.name}: lag, oldest event (${lagUnit})`, [sub.metricLag({ label: 'oldest event' })], line(lagObjective, 'objective')),
      graph(`${sub.name}: throughput (records)`, [sub.metricThroughput(), sub.metricProcessed({ label: 'processed' })]),
      graph(`${sub.name}: success and error rate (%)`, [sub.metricSuccessRate(), sub.metricErrorRate()], line(slo.errorRate, 'objective error rate'), { min: 0, max: 100 }),
    );
    this.dashboard.addWidgets(
      graph(`${sub.name}: failures`, [
        sub.metricHandlerErrors(),
        sub.metricInvalid({ label: 'schema failures' }),
        sub.metricDeadLettered({ label: 'dead-lettered' }),
        sub.metricRetried({ label: 'retried' }),
      ]),
      graph(`${sub.name}: duplicates suppressed`, [sub.metricDuplicate({ label: 'duplicates' })]),
      graph(`${sub.name}: dead-letter queue`, [
        sub.metricDlqApproximateNumberOfMessagesVisible({ label: 'messages in DLQ' }),
        sub.metricInvocationsSentToDlq({ label: 'rule deliveries sent to DLQ' }),
      ]),
      graph(`${sub.name}: handler duration (ms)`, [
        sub.metricHandlerDuration({ statistic: cloudwatch.Stats.p(50), label: 'p50' }),
        sub.metricHandlerDuration({ label: 'p99' }),
        sub.metricHandlerDuration({ statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
      ]),
    );
  }
}

function graph(title: string, left: cloudwatch.IMetric[], leftAnnotations: cloudwatch.HorizontalAnnotation[] = [], leftYAxis?: cloudwatch.YAxisProps): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, leftAnnotations, leftYAxis: leftYAxis ?? { min: 0 }, width: GRAPH_WIDTH, height: GRAPH_HEIGHT });
}

function objectivesText(sub: Subscription): string {
  const { latencyP99, maxLag, errorRate } = sub.slo;
  const parts = [
    latencyP99 && `p99 latency ≤ ${latencyP99.toHumanString()}`,
    maxLag && `lag ≤ ${maxLag.toHumanString()}`,
    errorRate !== undefined && `errors ≤ ${errorRate} %`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length ? ` · objectives: ${parts.join(', ')}` : ' · no objectives set';
}
