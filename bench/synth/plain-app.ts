/**
 * The synth bench's peer: the resources of an N-subscription queue flow declared by hand
 * with plain aws-cdk-lib, one aws-lambda-nodejs NodejsFunction per handler (esbuild run
 * locally once per function, no Docker). Per subscription: rule → queue (SSE, TLS-only,
 * redrive to a DLQ) → function (X-Ray active, log group with retention) through an event
 * source mapping with ReportBatchItemFailures, a DLQ alarm and PutEvents permission; the
 * bus with its archive and a dedupe table, as EventFlow makes them.
 */
import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Alarm, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';

const REQUIRE_SHIM = "import{createRequire as __bl_cr}from'node:module';const require=__bl_cr(import.meta.url);";

export interface PlainAppOptions {
  /** One wrapper entry per subscription; each NodejsFunction bundles its own (one esbuild run each). */
  readonly entries: readonly string[];
  /** Folder with the lock file (NodejsFunction's projectRoot). */
  readonly projectRoot: string;
}

export function buildPlainStack(app: App, options: PlainAppOptions): Stack {
  const stack = new Stack(app, 'PlainOrders', { env: { account: '123456789012', region: 'us-east-1' } });
  const bus = new EventBus(stack, 'Bus', { eventBusName: 'orders' });
  bus.archive('Archive', { eventPattern: { account: [stack.account] }, retention: Duration.days(30) });
  new Table(stack, 'DedupeTable', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  options.entries.forEach((entry, i) => {
    const id = `Sub${i}`;
    const dlq = new Queue(stack, `${id}Dlq`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const fn = new NodejsFunction(stack, `${id}Function`, {
      entry,
      memorySize: 256,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(stack, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      projectRoot: options.projectRoot,
      depsLockFilePath: `${options.projectRoot}/package-lock.json`,
      // The same banner Busline's bundler adds, so CommonJS dependencies can call require in ESM.
      bundling: { minify: true, format: OutputFormat.ESM, target: 'node24', externalModules: ['@aws-sdk/*'], banner: REQUIRE_SHIM, forceDockerBundling: false },
    });
    const queue = new Queue(stack, `${id}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
    });
    new Rule(stack, `${id}Rule`, {
      eventBus: bus,
      eventPattern: { source: ['shop.orders'], detailType: ['order.placed'] },
      targets: [new SqsQueue(queue, { deadLetterQueue: dlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });
    fn.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    bus.grantPutEventsTo(fn);
    new Alarm(stack, `${id}DlqAlarm`, {
      metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  });
  return stack;
}
