import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Duration, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { COUNT_METRICS, DEFAULT_METRICS_NAMESPACE, DURATION_METRIC, LATENCY_METRIC, type CountMetric } from '../runtime/metric-names.ts';
import { RUNTIME_ENV, type DedupeConfig, type RetryConfig, type SubscriptionConfig, type TopicInfo } from '../runtime/subscription-config.ts';
import type { FlowSubscription } from '../schema/flow-manifest.ts';
import { acceptedVersions } from '../schema/compatibility.ts';
import { topicPiiFields } from '../schema/pii.ts';
import { Backoff } from './backoff.ts';
import { BundledCode } from './bundled-code.ts';
import { Delivery } from './delivery.ts';
import { sourceQueueMaxReceiveCount } from './redrive-headroom.ts';
import { EventFlowDeclarationError } from './errors.ts';
import { SLO_ALARM_PERIOD, SLO_DATAPOINTS_TO_ALARM, SLO_EVALUATION_PERIODS, effectiveObjectives, type ServiceLevelObjectives } from './service-levels.ts';
import type { EventFlow } from './event-flow.ts';
import { checkFilter, declaredTypes, knownFields, schemaAtPath } from './schema-paths.ts';
import type { Topic } from './topic.ts';
import { encryptedFieldsOf } from './pii-key.ts';

/** Options of `EventFlow.addSubscription()`. */
export interface SubscriptionOptions {
  /** The topic whose events the subscription handles. Must be a topic of the same flow. */
  readonly topic: Topic;
  /**
   * The handler file: a module whose default export is a plain async function
   * `(data, ctx) => Promise<void>`. Relative paths are resolved against the flow's `rootDir`.
   */
  readonly handler: string;
  /**
   * Content filter on the event's `data`, in EventBridge pattern syntax
   * (e.g. `{ total: [{ numeric: ['>', 100] }] }`). Placed under `detail.data` in the rule's
   * pattern; every field must exist in the topic's schema.
   * @default - every event of the topic
   */
  readonly filter?: Readonly<Record<string, unknown>>;
  /**
   * How events reach the function.
   * @default Delivery.queue()
   */
  readonly delivery?: Delivery;
  /**
   * Topics the handler may publish with `ctx.publish`; the function gets `events:PutEvents`
   * for exactly these (detail-type, source) pairs.
   * @default - publishes nothing
   */
  readonly publishes?: readonly Topic[];
  /**
   * Attempts at handling an event before the runtime sends it to the DLQ with its reason
   * (1–1,000; direct delivery 1–3, Lambda's asynchronous invoke plus its retries). The runtime
   * counts attempts itself: records an ordered batch or the timeout guard left untried do not
   * count. The queue's redrive is only a safety net: its `maxReceiveCount` is
   * maxAttempts × (batchSize + 1), at most 1,000, so that an untried record is never moved to
   * the DLQ by it (lib/constructs/redrive-headroom.ts).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Delay between attempts, applied by the runtime.
   * @default Backoff.exponential() (2 s doubling up to 5 min, full jitter)
   */
  readonly backoff?: Backoff;
  /**
   * Oldest an event may be and still be delivered: the rule target's maximum event age
   * (60 s–24 h), and for direct delivery also Lambda's async maximum event age (60 s–6 h).
   * @default - 24 hours; 6 hours for direct delivery
   */
  readonly maxEventAge?: Duration;
  /**
   * Whether the runtime suppresses duplicate deliveries with the flow's dedupe table.
   * @default true
   */
  readonly dedupe?: boolean;
  /**
   * Path in `data` whose value identifies an event for dedupe (e.g. `'userId'`). Must be a
   * field of the topic's schema.
   * @default - `metadata.id` of the event, else its EventBridge id
   */
  readonly dedupeKey?: string;
  /**
   * How long a handled event suppresses its duplicates.
   * @default Duration.hours(24)
   */
  readonly dedupeTtl?: Duration;
  /**
   * Schema versions of the topic this subscription accepts; events of other versions go to
   * its DLQ with the reason. Each must be a version under the topic's schemas folder.
   * @default - the latest version and every earlier one the latest schema can still read
   * (lib/schema/compatibility.ts `acceptedVersions`)
   */
  readonly acceptsVersions?: readonly number[];
  /**
   * The function's timeout (at most 15 minutes).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * The function's memory, in MiB (128–10,240).
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Extra environment variables of the function (e.g. table names for the handler).
   * Names starting with `BUSLINE_` are reserved.
   * @default - only the runtime's variables
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Service level objectives of this subscription, over the flow's (`EventFlowProps.slo`) field
   * by field: each objective set becomes an alarm (`latencyAlarm`, `lagAlarm`, `errorRateAlarm`).
   * @default - the flow's objectives (none unless the flow sets them)
   */
  readonly slo?: ServiceLevelObjectives;
}

/** Props of a Subscription; use `EventFlow.addSubscription()` to make one. */
export interface SubscriptionProps extends SubscriptionOptions {
  /** The flow the subscription belongs to. */
  readonly flow: EventFlow;
  /** The subscription's name, lower-case words joined by '-', e.g. `'welcome-user'`. */
  readonly name: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_TIMEOUT = Duration.seconds(30);
const DEFAULT_MEMORY_MIB = 256;
const DEFAULT_DEDUPE_TTL = Duration.hours(24);
/** EventBridge's own default, set explicitly so the template does not depend on it. */
const RULE_TARGET_RETRY_ATTEMPTS = 185;
/** Visibility timeout ≥ 6 × function timeout: AWS's rule for SQS event sources. */
const VISIBILITY_FACTOR = 6;
const MAX_BACKOFF_SECONDS = 12 * 3600;

const seconds = (d: Duration): number => d.toMilliseconds() / 1000;

/**
 * One subscription of an EventFlow: an EventBridge rule on the flow's bus, the delivery
 * path (SQS queue, FIFO queue or direct invoke), a Lambda function running the handler
 * wrapped by the Busline runtime, and a dead-letter queue with an alarm.
 */
export class Subscription extends Construct {
  readonly name: string;
  readonly topic: Topic;
  readonly publishes: readonly Topic[];
  readonly delivery: Delivery;
  /** The function running the handler; grant it what the handler needs (e.g. `table.grantWriteData(sub.function)`). */
  readonly function: lambda.IFunction;
  /** The rule on the flow's bus. */
  readonly rule: events.IRule;
  /** The queue between the rule and the function; absent for direct delivery. */
  readonly queue?: sqs.IQueue;
  /** Where events that can never be handled go: exhausted retries, schema violations, non-retryable errors. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Where the rule's delivery failures go. The same queue as `deadLetterQueue`, except for
   * ordered delivery: EventBridge cannot send to a FIFO dead-letter queue.
   */
  readonly deliveryDeadLetterQueue: sqs.IQueue;
  /** Alarms when the DLQ holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The objectives in force: the subscription's `slo` over the flow's. */
  readonly slo: ServiceLevelObjectives;
  /** Alarms when the p99 end-to-end latency is above `slo.latencyP99`; absent without that objective. */
  readonly latencyAlarm?: cloudwatch.Alarm;
  /** Alarms when the oldest waiting event is older than `slo.maxLag`; absent without that objective. */
  readonly lagAlarm?: cloudwatch.Alarm;
  /** Alarms when the share of failed records is above `slo.errorRate` percent; absent without that objective. */
  readonly errorRateAlarm?: cloudwatch.Alarm;
  /** Every alarm of the subscription: the dead-letter alarm(s), then the SLO alarms. Each notifies the flow's `alarmAction`. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The content filter as written (on `data`), if any. */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** The rule's full event pattern, as EventBridge sees it. */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  /** What the runtime is told at cold start (baked into the bundle). */
  readonly config: SubscriptionConfig;
  /** Absolute path of the handler file. */
  readonly handlerFile: string;
  /** @internal */
  readonly _code: BundledCode;
  private readonly flow: EventFlow;

  constructor(scope: Construct, id: string, props: SubscriptionProps) {
    super(scope, id);
    const { flow } = props;
    this.flow = flow;
    this.name = props.name;
    if (!NAME.test(props.name)) {
      throw new EventFlowDeclarationError(this, `subscription name '${props.name}' is not lower-case words joined by '-': use a name like '${kebabCase(props.name) || 'welcome-user'}'`);
    }
    this.topic = this.ownTopic(props.topic, 'topic');
    this.publishes = (props.publishes ?? []).map((t, i) => this.ownTopic(t, `publishes[${i}]`));
    this.delivery = props.delivery ?? Delivery.queue();
    this.handlerFile = this.resolveHandler(props.handler);

    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    if (!Token.isUnresolved(timeout) && (seconds(timeout) < 1 || seconds(timeout) > 900)) {
      throw new EventFlowDeclarationError(this, `timeout ${timeout.toHumanString()} is outside Lambda's 1 second – 15 minutes: choose a timeout in that range`);
    }
    const retry = this.retryConfig(props);
    const maxEventAge = this.maxEventAge(props.maxEventAge);
    const dedupe = this.dedupeConfig(props);

    // The rule: topic's source and detail-type; the user's filter goes under detail.data.
    this.filter = props.filter;
    if (props.filter) this.checkFilter(props.filter);
    const pattern: events.EventPattern = {
      source: [this.topic.source],
      detailType: [this.topic.name],
      ...(props.filter ? { detail: { data: props.filter } } : {}),
    };
    this.eventPattern = {
      source: [this.topic.source],
      'detail-type': [this.topic.name],
      ...(props.filter ? { detail: { data: props.filter } } : {}),
    };
    const rule = new events.Rule(this, 'Rule', {
      eventBus: flow.bus,
      eventPattern: pattern,
      description: `Busline ${flow.flowName}/${this.name}: ${this.topic.name} events`,
    });
    this.rule = rule;

    // Dead-letter queues. Standard queues' messages keep their first enqueue time in the
    // DLQ, so the DLQ keeps them longer (14 days) than the source queue (4 days).
    const ordered = this.delivery.mode === 'ordered';
    const dlq = this.newDeadLetterQueue('Dlq', ordered);
    this.deadLetterQueue = dlq;
    const deliveryDlq = ordered ? this.newDeadLetterQueue('DeliveryDlq', false) : undefined;
    this.deliveryDeadLetterQueue = deliveryDlq ?? dlq;
    const queue = this.delivery.mode === 'direct' ? undefined : this.newSourceQueue(timeout, retry.maxAttempts, dlq);
    this.queue = queue;
    // Every queue of the subscription exists now: give them their one shared policy before
    // anything (the rule's targets, grants) adds a statement to it.
    this.shareQueuePolicy([queue, dlq, deliveryDlq]);

    // The function: explicit role (no managed policies), log group, runtime and tracing.
    const role = this.newRole();
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: flow.logRetention });
    logGroup.grantWrite(role);
    this.config = {
      flow: flow.flowName,
      subscription: this.name,
      delivery: this.delivery.mode,
      consumes: [this.topic.name],
      publishes: this.publishes.map((t) => t.name),
      topics: topicInfos([this.topic, ...this.publishes]),
      retry,
      dedupe,
      acceptsVersions: { [this.topic.name]: this.acceptedVersionsOf(props.acceptsVersions) },
    };
    this._code = new BundledCode(this.node.path);
    const environment: Record<string, string> = {
      [RUNTIME_ENV.busName]: flow.bus.eventBusName,
      [RUNTIME_ENV.dlqUrl]: dlq.queueUrl,
      // Dedupe on or off: the runtime counts failed attempts in the flow's table.
      [RUNTIME_ENV.dedupeTable]: flow.dedupeTable.tableName,
    };
    // "x-busline-pii": "encrypt" fields in what it consumes or publishes: the runtime needs the key
    // (EventFlow.addTopic refused such topics in a flow without one).
    const encryptsOrDecrypts = [this.topic, ...this.publishes].some((t) => encryptedFieldsOf(t).length > 0);
    if (encryptsOrDecrypts && flow.piiKey) environment[RUNTIME_ENV.piiKey] = flow.piiKey.keyArn;
    for (const [k, v] of Object.entries(props.environment ?? {})) {
      if (k.startsWith('BUSLINE_')) {
        throw new EventFlowDeclarationError(this, `environment variable '${k}' uses the reserved prefix BUSLINE_: rename it`);
      }
      environment[k] = v;
    }
    const memorySize = props.memorySize ?? DEFAULT_MEMORY_MIB;
    if (!Token.isUnresolved(memorySize) && (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240)) {
      throw new EventFlowDeclarationError(this, `memorySize ${memorySize} is outside Lambda's 128–10,240 MiB: choose a whole number of MiB in that range`);
    }
    const fn = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: this._code,
      role,
      logGroup,
      timeout,
      memorySize,
      environment,
      description: `Busline ${flow.flowName}/${this.name}`,
    });
    this.function = fn;
    // Active X-Ray tracing; the role's inline 'Tracing' policy lets the function write segments.
    (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };

    // Runtime permissions: send unhandleable events to the DLQ, dedupe (or, dedupe off, only
    // count failed attempts: UpdateItem), publish.
    dlq.grant(fn, 'sqs:SendMessage');
    if (dedupe) {
      flow.dedupeTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    } else {
      flow.dedupeTable.grant(fn, 'dynamodb:UpdateItem');
    }
    // Publishing a topic with encrypted fields includes kms:GenerateDataKey for its data keys.
    if (this.publishes.length > 0) flow.grantPublish(fn, ...this.publishes);
    if (flow._piiKey && encryptedFieldsOf(this.topic).length > 0) flow._piiKey.grantDecrypt(fn, this.topic);
    flow._flowKey?.grantFunction(fn);

    if (!queue) {
      // Direct delivery.
      rule.addTarget(new targets.LambdaFunction(fn, {
        deadLetterQueue: dlq,
        retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
        maxEventAge,
      }));
      fn.configureAsyncInvoke({
        retryAttempts: retry.maxAttempts - 1,
        maxEventAge,
        onFailure: new destinations.SqsDestination(dlq),
      });
    } else {
      rule.addTarget(new targets.SqsQueue(queue, {
        deadLetterQueue: this.deliveryDeadLetterQueue,
        retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
        maxEventAge,
        // A dynamic path parameter: EventBridge reads the group from each event.
        ...(ordered ? { messageGroupId: `$.detail.data.${this.delivery.messageGroupPath}` } : {}),
      }));
      const o = this.delivery.queueOptions;
      fn.addEventSource(new SqsEventSource(queue, {
        batchSize: o.batchSize ?? 10,
        maxBatchingWindow: o.maxBatchingWindow,
        maxConcurrency: o.maxConcurrency,
        reportBatchItemFailures: true,
      }));
    }

    this.deadLetterAlarm = this.newDlqAlarm('DlqAlarm', dlq);
    const alarms = [this.deadLetterAlarm];
    if (ordered) alarms.push(this.newDlqAlarm('DeliveryDlqAlarm', this.deliveryDeadLetterQueue));
    this.slo = effectiveObjectives(this, flow.slo, props.slo);
    this.latencyAlarm = this.newSloAlarm('LatencyAlarm', this.slo.latencyP99, () => ({
      metric: this.metricEndToEndLatency({ statistic: cloudwatch.Stats.p(99), period: SLO_ALARM_PERIOD }),
      threshold: this.slo.latencyP99!.toMilliseconds(),
      what: `p99 end-to-end latency is above ${this.slo.latencyP99!.toHumanString()}`,
    }));
    this.lagAlarm = this.newSloAlarm('LagAlarm', this.slo.maxLag, () => ({
      metric: this.metricLag({ period: SLO_ALARM_PERIOD }),
      // SQS reports the age in seconds, Lambda's AsyncEventAge in milliseconds.
      threshold: this.queue ? this.slo.maxLag!.toSeconds() : this.slo.maxLag!.toMilliseconds(),
      what: `the oldest waiting event is older than ${this.slo.maxLag!.toHumanString()}`,
    }));
    this.errorRateAlarm = this.newSloAlarm('ErrorRateAlarm', this.slo.errorRate, () => ({
      metric: this.metricErrorRate({ period: SLO_ALARM_PERIOD }),
      threshold: this.slo.errorRate!,
      what: `more than ${this.slo.errorRate} % of records fail`,
    }));
    for (const a of [this.latencyAlarm, this.lagAlarm, this.errorRateAlarm]) if (a) alarms.push(a);
    this.alarms = alarms;
    if (flow.alarmAction) for (const a of alarms) a.addAlarmAction(flow.alarmAction);
    flow._registerSubscription(this);
  }

  /** A metric of this subscription's rule (AWS/Events, dimensions EventBusName and RuleName). */
  metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: { EventBusName: this.flow.bus.eventBusName, RuleName: this.rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** Events matching the rule. @default - sum over 5 minutes */
  metricMatchedEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MatchedEvents', props);
  }

  /** Times the rule invoked its target (queue or function). @default - sum over 5 minutes */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  /** Deliveries to the target that failed permanently. @default - sum over 5 minutes */
  metricFailedInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('FailedInvocations', props);
  }

  /** Deliveries the rule sent to the delivery DLQ. @default - sum over 5 minutes */
  metricInvocationsSentToDlq(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationsSentToDlq', props);
  }

  /** Deliveries the rule could not even send to the delivery DLQ. @default - sum over 5 minutes */
  metricInvocationsFailedToBeSentToDlq(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationsFailedToBeSentToDlq', props);
  }

  /** Messages waiting in the DLQ. @default - maximum over 1 minute */
  metricDlqApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Age of the oldest message in the DLQ. @default - maximum over 1 minute */
  metricDlqApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateAgeOfOldestMessage({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * A metric the Busline runtime writes for this subscription (EMF; namespace Busline,
   * dimensions Flow and Subscription): one of lib/runtime/metric-names.ts.
   */
  metricRuntime(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: DEFAULT_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { Flow: this.flow.flowName, Subscription: this.name },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** End-to-end latency, publish → handled, in milliseconds. @default - p99 over 5 minutes */
  metricEndToEndLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime(LATENCY_METRIC, { statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** Time the handler itself took per record, in milliseconds. @default - p99 over 5 minutes */
  metricHandlerDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime(DURATION_METRIC, { statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** Records whose handler succeeded. @default - sum over 5 minutes */
  metricProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('Processed', props);
  }

  /** Records that failed: retried after an attempt, or dead-lettered. @default - sum over 5 minutes */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('Failed', props);
  }

  /** Records handed back to the queue (or to Lambda's retries) for another attempt. @default - sum over 5 minutes */
  metricRetried(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('Retried', props);
  }

  /** Records the runtime sent to the dead-letter queue (schema failures and non-retryable errors). @default - sum over 5 minutes */
  metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('DeadLettered', props);
  }

  /** Schema failures: records dead-lettered as malformed or invalid against the topic's schema, never handler errors. @default - sum over 5 minutes */
  metricInvalid(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('Invalid', props);
  }

  /** Duplicates suppressed by dedupe (handler not run). @default - sum over 5 minutes */
  metricDuplicate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricRuntime('Duplicate', props);
  }

  /**
   * Throughput: records handled, whatever their outcome (Processed + Duplicate + Retried +
   * DeadLettered: each record is counted in exactly one). @default - sum over 5 minutes
   */
  metricThroughput(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({ expression: 'processed + duplicate + retried + deadlettered', usingMetrics: this.countMetrics(), label: 'Records', ...props });
  }

  /** Failed records (handler errors and schema failures) over records handled, in percent. @default - over 5 minutes */
  metricErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({ expression: '100 * failed / (processed + duplicate + retried + deadlettered)', usingMetrics: this.countMetrics(), label: 'Error rate %', ...props });
  }

  /** Records that succeeded (handled, or suppressed as duplicates) over records handled, in percent. @default - over 5 minutes */
  metricSuccessRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({ expression: '100 * (processed + duplicate) / (processed + duplicate + retried + deadlettered)', usingMetrics: this.countMetrics(), label: 'Success rate %', ...props });
  }

  /** Handler errors alone: failed records that were not schema failures (Failed − Invalid). @default - sum over 5 minutes */
  metricHandlerErrors(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({ expression: 'failed - invalid', usingMetrics: this.countMetrics(), label: 'Handler errors', ...props });
  }

  /**
   * Lag: the age of the oldest event not yet handled. Queue delivery: the queue's
   * ApproximateAgeOfOldestMessage (seconds); direct delivery: the function's AsyncEventAge
   * (milliseconds). @default - maximum over 1 minute
   */
  metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const options = { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props };
    if (this.queue) return this.queue.metricApproximateAgeOfOldestMessage(options);
    return new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'AsyncEventAge', dimensionsMap: { FunctionName: this.function.functionName }, ...options });
  }

  /** The count metrics by their math-expression ids (lower case); an expression's period applies to them all. */
  private countMetrics(): Record<string, cloudwatch.IMetric> {
    return Object.fromEntries(COUNT_METRICS.map((name: CountMetric) => [name.toLowerCase(), this.metricRuntime(name)]));
  }

  private newSloAlarm(id: string, objective: unknown, spec: () => { metric: cloudwatch.IMetric; threshold: number; what: string }): cloudwatch.Alarm | undefined {
    if (objective === undefined) return undefined;
    const { metric, threshold, what } = spec();
    return new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: SLO_EVALUATION_PERIODS,
      datapointsToAlarm: SLO_DATAPOINTS_TO_ALARM,
      // A minute without records is no breach (latency and error rate have no data then).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Busline ${this.flow.flowName}/${this.name}: ${what} (service level objective)`,
    });
  }

  private acceptedVersionsOf(declared: readonly number[] | undefined): number[] {
    const known = this.topic.schemas.versions.map((v) => v.version);
    if (declared === undefined) return acceptedVersions(this.topic.schemas);
    const unknown = declared.filter((v) => !known.includes(v));
    if (declared.length === 0 || unknown.length > 0) {
      throw new EventFlowDeclarationError(this, `acceptsVersions [${declared.join(', ')}] of topic '${this.topic.name}' ${declared.length === 0 ? 'is empty' : `names versions it has no schema for (${unknown.join(', ')})`}: choose among its versions ${known.join(', ')}, or leave acceptsVersions out to accept the latest and every version compatible with it`);
    }
    return [...declared].sort((a, b) => a - b);
  }

  /** @internal The subscription as the flow manifest describes it. */
  _manifest(): FlowSubscription {
    const logicalId = (c: Construct): string => Stack.of(this).resolve((c.node.defaultChild as CfnElement).logicalId) as string;
    return {
      name: this.name,
      constructPath: this.node.path,
      topics: [this.topic.name],
      delivery: this.delivery.mode,
      ...(this.delivery.messageGroupPath !== undefined ? { messageGroupPath: this.delivery.messageGroupPath } : {}),
      ...(this.filter ? { filter: this.filter } : {}),
      eventPattern: this.eventPattern,
      publishes: this.publishes.map((t) => t.name),
      retry: this.config.retry,
      dedupe: this.config.dedupe,
      ...(this.config.acceptsVersions ? { acceptsVersions: this.config.acceptsVersions } : {}),
      resources: {
        rule: logicalId(this.rule as events.Rule),
        function: logicalId(this.function as lambda.Function),
        dlq: logicalId(this.deadLetterQueue as sqs.Queue),
        ...(this.deliveryDeadLetterQueue !== this.deadLetterQueue ? { deliveryDlq: logicalId(this.deliveryDeadLetterQueue as sqs.Queue) } : {}),
        ...(this.queue ? { queue: logicalId(this.queue as sqs.Queue) } : {}),
      },
    };
  }

  private ownTopic(topic: Topic, prop: string): Topic {
    if (topic.flowPath !== this.flow.node.path || this.flow.findTopic(topic.name) !== topic) {
      const known = this.flow.topics.map((t) => t.name).join(', ') || 'none yet';
      throw new EventFlowDeclarationError(this, `${prop} '${topic.name}' is not a topic of this flow (topics: ${known}): declare it with flow.addTopic('${topic.name}', { source })`);
    }
    return topic;
  }

  private resolveHandler(handler: string): string {
    const file = isAbsolute(handler) ? handler : resolve(this.flow.rootDir, handler);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new EventFlowDeclarationError(this, `handler file '${handler}' does not exist (looked at ${file}): create it with a default-exported async function (data, ctx) => { … }`);
    }
    return file;
  }

  private retryConfig(props: SubscriptionOptions): RetryConfig {
    const maxAttempts = props.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const direct = this.delivery.mode === 'direct';
    const [lo, hi] = direct ? [1, 3] : [1, 1000];
    if (!Number.isInteger(maxAttempts) || maxAttempts < lo || maxAttempts > hi) {
      const why = direct
        ? 'Lambda retries an asynchronous invoke at most twice; use Delivery.queue() for more attempts'
        : "the queue's redrive safety net above it is capped by SQS at 1,000 receives";
      throw new EventFlowDeclarationError(this, `maxAttempts ${maxAttempts} is outside ${lo}–${hi} (${why}): choose a whole number in that range`);
    }
    const backoff = props.backoff ?? Backoff.exponential();
    const base = seconds(backoff.base);
    const max = seconds(backoff.max);
    if (base < 0 || max < base || max > MAX_BACKOFF_SECONDS) {
      throw new EventFlowDeclarationError(this, `backoff base ${backoff.base.toHumanString()} / max ${backoff.max.toHumanString()} is invalid: base must be ≥ 0 and max between base and 12 hours (SQS's visibility limit)`);
    }
    return { maxAttempts, backoffBaseSeconds: base, backoffMaxSeconds: max };
  }

  private maxEventAge(age: Duration | undefined): Duration {
    const direct = this.delivery.mode === 'direct';
    const limit = direct ? Duration.hours(6) : Duration.hours(24);
    const value = age ?? limit;
    const s = seconds(value);
    if (s < 60 || s > seconds(limit)) {
      const why = direct ? "Lambda's asynchronous maximum event age" : "the EventBridge target's maximum event age";
      throw new EventFlowDeclarationError(this, `maxEventAge ${value.toHumanString()} is outside 1 minute – ${limit.toHumanString()} (${why}): choose a value in that range`);
    }
    return value;
  }

  private dedupeConfig(props: SubscriptionOptions): DedupeConfig | false {
    if (props.dedupe === false) {
      if (props.dedupeKey !== undefined || props.dedupeTtl !== undefined) {
        throw new EventFlowDeclarationError(this, 'dedupeKey/dedupeTtl are set but dedupe is false: remove them, or drop dedupe: false');
      }
      return false;
    }
    const ttl = props.dedupeTtl ?? DEFAULT_DEDUPE_TTL;
    if (seconds(ttl) < 1) {
      throw new EventFlowDeclarationError(this, `dedupeTtl ${ttl.toHumanString()} is shorter than a second: choose a longer window (default 24 hours)`);
    }
    if (props.dedupeKey !== undefined) this.requireScalarField(props.dedupeKey, 'dedupeKey');
    return { ...(props.dedupeKey !== undefined ? { keyPath: props.dedupeKey } : {}), ttlSeconds: Math.round(seconds(ttl)) };
  }

  /** A `data` path must name a string or number field of the topic's schema. */
  private requireScalarField(path: string, prop: string): void {
    const schema = this.topic.schemas.latest;
    const node = schemaAtPath(schema.schema, path);
    if (!node) {
      throw new EventFlowDeclarationError(this, `${prop} '${path}' is not a field of ${this.topic.name} (${schema.file}; fields: ${knownFields(schema.schema).join(', ')}): name a field of the event's data`);
    }
    const types = declaredTypes(node);
    if (types.length > 0 && !types.some((t) => t === 'string' || t === 'number' || t === 'integer')) {
      throw new EventFlowDeclarationError(this, `${prop} '${path}' is of type ${types.join('/')} in ${this.topic.name}: name a string or number field`);
    }
  }

  private checkFilter(filter: Readonly<Record<string, unknown>>): void {
    const schema = this.topic.schemas.latest;
    const [problem] = checkFilter(filter, schema.schema, encryptedFieldsOf(this.topic));
    if (!problem) return;
    if (problem.reason === 'encrypted-field') {
      throw new EventFlowDeclarationError(this, `filter field '${problem.path}' of ${this.topic.name} is marked "x-busline-pii": "encrypt" (${schema.file}): EventBridge sees only its ciphertext, so no pattern can match its value; filter on another field, or filter in the handler (it receives the plaintext)`);
    }
    if (problem.reason === 'unknown-field') {
      throw new EventFlowDeclarationError(this, `filter field '${problem.path}' is not in the schema of ${this.topic.name} (${schema.file}; fields: ${knownFields(schema.schema).join(', ')}): filter on a field of the event's data, or add it to the schema`);
    }
    throw new EventFlowDeclarationError(this, `filter field '${problem.path}' holds ${JSON.stringify(filter)}: give each field an array of matchers (e.g. ['a', 'b'] or [{ prefix: 'x' }]) or a nested object; $or takes a list of at least two filters`);
  }

  private newDeadLetterQueue(id: string, fifo: boolean): SharedPolicyQueue {
    // TLS-only through the subscription's shared queue policy (shareQueuePolicy), not enforceSSL.
    const queue = this.encrypted(new SharedPolicyQueue(this, id, {
      fifo: fifo || undefined,
      contentBasedDeduplication: fifo || undefined,
      retentionPeriod: Duration.days(14),
      ...this.queueEncryption(),
    }));
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue; a DLQ of a DLQ would only move the problem (cdklabs/cdk-nag#1990).',
    });
    return queue;
  }

  private newSourceQueue(timeout: Duration, maxAttempts: number, dlq: sqs.IQueue): SharedPolicyQueue {
    const o = this.delivery.queueOptions;
    const ordered = this.delivery.mode === 'ordered';
    const minVisibility = seconds(timeout) * VISIBILITY_FACTOR;
    if (o.visibilityTimeout && seconds(o.visibilityTimeout) < minVisibility) {
      throw new EventFlowDeclarationError(this, `visibilityTimeout ${o.visibilityTimeout.toHumanString()} is below 6 × the function timeout (${timeout.toHumanString()}), which AWS requires for SQS event sources: set visibilityTimeout to at least ${minVisibility} seconds, or shorten timeout`);
    }
    const visibility = o.visibilityTimeout ?? Duration.seconds(minVisibility);
    if (seconds(visibility) > 12 * 3600) {
      throw new EventFlowDeclarationError(this, `visibilityTimeout ${visibility.toHumanString()} is above SQS's 12 hours: shorten timeout (6 × timeout must fit in 12 hours)`);
    }
    if (ordered) {
      this.requireScalarField(this.delivery.messageGroupPath!, 'messageGroupPath');
      if (o.maxBatchingWindow) {
        throw new EventFlowDeclarationError(this, `maxBatchingWindow ${o.maxBatchingWindow.toHumanString()} is set on ordered delivery, but FIFO event source mappings take no batching window: remove maxBatchingWindow, or use Delivery.queue()`);
      }
    }
    const batchSize = o.batchSize ?? 10;
    const maxBatch = ordered || !o.maxBatchingWindow ? 10 : 10000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
      const why = ordered ? 'FIFO queues deliver at most 10 records per batch' : maxBatch === 10 ? 'without a maxBatchingWindow SQS delivers at most 10; set a window for up to 10,000' : 'SQS allows up to 10,000 with a batching window';
      throw new EventFlowDeclarationError(this, `batchSize ${batchSize} is outside 1–${maxBatch} (${why}): choose a whole number in that range`);
    }
    if (o.maxBatchingWindow && seconds(o.maxBatchingWindow) > 300) {
      throw new EventFlowDeclarationError(this, `maxBatchingWindow ${o.maxBatchingWindow.toHumanString()} is above SQS's 5 minutes: choose 0–300 seconds`);
    }
    if (o.maxConcurrency !== undefined && (!Number.isInteger(o.maxConcurrency) || o.maxConcurrency < 2 || o.maxConcurrency > 1000)) {
      throw new EventFlowDeclarationError(this, `maxConcurrency ${o.maxConcurrency} is outside SQS event sources' 2–1,000: choose a whole number in that range, or leave it unset`);
    }
    // TLS-only through the subscription's shared queue policy (shareQueuePolicy), not enforceSSL.
    return this.encrypted(new SharedPolicyQueue(this, 'Queue', {
      fifo: ordered || undefined,
      contentBasedDeduplication: ordered || undefined,
      visibilityTimeout: visibility,
      retentionPeriod: Duration.days(4),
      ...this.queueEncryption(),
      // A safety net with headroom: the runtime dead-letters after maxAttempts (redrive-headroom.ts).
      deadLetterQueue: { queue: dlq, maxReceiveCount: sourceQueueMaxReceiveCount(maxAttempts, batchSize) },
    }));
  }

  /** SSE-SQS with AWS managed keys; with the flow's customer managed key, see `encrypted`. */
  private queueEncryption(): Pick<sqs.QueueProps, 'encryption'> {
    return this.flow._flowKey ? {} : { encryption: sqs.QueueEncryption.SQS_MANAGED };
  }

  /**
   * Sets the flow's customer managed key on the queue resource itself, leaving the L2 queue's
   * `encryptionMasterKey` unset: CDK's own grants (the rule target's, the event source's, the
   * on-failure destination's) would otherwise add KMS actions no one needs (kms:Encrypt,
   * kms:ReEncrypt*) and drop the rule-ARN condition of the queue policy. FlowKey grants exactly
   * what is used instead.
   */
  private encrypted(queue: SharedPolicyQueue): SharedPolicyQueue {
    const key = this.flow._flowKey?.key;
    if (key) (queue.node.defaultChild as sqs.CfnQueue).kmsMasterKeyId = key.keyArn;
    return queue;
  }

  /**
   * One AWS::SQS::QueuePolicy for all of the subscription's queues (its `Queues` takes a
   * list) instead of one per queue: a queue subscription is then 10 resources, so 45 fit in
   * a stack's 500. Nothing is shared that was not before: every statement still names the
   * ARN of the queue it is about (the TLS deny names them all, the rule's grants their own
   * queue), so each queue's effective policy is what a policy of its own would say.
   */
  private shareQueuePolicy(candidates: ReadonlyArray<SharedPolicyQueue | undefined>): void {
    const queues = candidates.filter((q): q is SharedPolicyQueue => q !== undefined);
    const policy = new sqs.QueuePolicy(this, 'QueuePolicy', { queues });
    policy.document.addStatements(new iam.PolicyStatement({
      sid: 'DenyWithoutTls',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:*'],
      resources: queues.map((q) => q.queueArn),
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    for (const q of queues) q.sharePolicy(policy);
  }

  /**
   * The function's role: no managed policies. X-Ray's PutTraceSegments/PutTelemetryRecords
   * accept no resource but '*', so that statement is the role's own inline policy, the only
   * statement the role resource itself holds; the acknowledgement of that finding is scoped
   * to the role resource alone. Every grant (the construct's and the user's) lands in the
   * role's DefaultPolicy, a resource of its own, where any wildcard is still reported.
   */
  private newRole(): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Busline ${this.flow.flowName}/${this.name} handler`,
      inlinePolicies: {
        Tracing: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
        }),
      },
    });
    Validations.of(role.node.defaultChild!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions; AWS requires Resource '*'. Only the role resource's inline Tracing policy is covered, never its DefaultPolicy of grants.",
    });
    return role;
  }

  private newDlqAlarm(id: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Busline ${this.flow.flowName}/${this.name}: events are waiting in a dead-letter queue`,
    });
  }
}

/**
 * A subscription's queue whose resource-policy statements go to the subscription's one
 * shared QueuePolicy (see Subscription.shareQueuePolicy) rather than a policy of its own.
 */
class SharedPolicyQueue extends sqs.Queue {
  private sharedPolicy?: sqs.QueuePolicy;

  sharePolicy(policy: sqs.QueuePolicy): void {
    this.sharedPolicy = policy;
  }

  override addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    if (!this.sharedPolicy) {
      // Only the Subscription constructor could get here, before shareQueuePolicy: a bug, not a user error.
      throw new Error(`${this.node.path}: a statement was added before the subscription's queue policy was made`);
    }
    this.sharedPolicy.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.sharedPolicy };
  }
}

function topicInfos(topics: readonly Topic[]): Record<string, TopicInfo> {
  const out: Record<string, TopicInfo> = {};
  for (const t of topics) {
    const fields = topicPiiFields(t.schemas.versions);
    const piiPaths = fields.map((f) => f.path);
    const encryptPaths = fields.filter((f) => f.mode === 'encrypt').map((f) => f.path);
    out[t.name] = {
      source: t.source,
      latestVersion: t.latestVersion,
      ...(piiPaths.length > 0 ? { piiPaths } : {}),
      ...(encryptPaths.length > 0 ? { encryptPaths } : {}),
    };
  }
  return out;
}

/** `WelcomeUser`, `welcome_user` → `welcome-user`: the name a declaration error suggests. */
function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join('-');
}
