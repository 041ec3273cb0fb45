/**
 * The CLI on a deployed stack, with moto_server standing in for AWS: the operations flow
 * (test/cli/support/ops-flow.ts) is created through CloudFormation CreateStack from its
 * Busline-synthesized template (moto's gaps: test/cli/support/moto-stack.ts), and every
 * command runs as a user runs it — `busline <command> --stack Ops --region … --endpoint-url …`
 * in its own process, credentials from the standard chain's environment variables — and its
 * effect is checked with the SDK.
 *
 * moto runs no consumer (the template's event source mappings are left out, and its Lambda
 * invokes nothing: `lambda.use_docker` is off), so what a command sends to a subscription stays
 * on its queue for the test to read; and moto never fails a delivery, so dead letters that
 * EventBridge or Lambda would write are sent by the test in their AWS shapes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  CloudFormationClient, ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeReplayCommand, EventBridgeClient, ListEventBusesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import { startMotoServer, MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, type MotoServer } from '../support/moto-server.ts';
import { deployToMoto } from './support/moto-stack.ts';
import { opsFlowStack, OPS_STACK, withOrderedTally } from './support/ops-flow.ts';
import { runBusline, type BuslineRun } from './support/run-busline.ts';

let moto: MotoServer;
let home: string;
let busName: string;
const config = (): { endpoint: string; region: string; credentials: typeof MOTO_CREDENTIALS } => ({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
/** Physical id by logical id prefix (e.g. "GreetingsGreetQueue"), as CloudFormation reports it. */
const physical = new Map<string, string>();
const resource = (prefix: string): string => {
  const found = [...physical].find(([logicalId]) => logicalId.startsWith(prefix));
  if (!found) throw new Error(`no resource ${prefix}* in stack ${OPS_STACK}`);
  return found[1];
};

before(async () => {
  moto = await startMotoServer();
  // moto's Lambda answers invocations without running code (no Docker here).
  const configured = await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: false } }) });
  await configured.arrayBuffer();
  await deployToMoto(moto, opsFlowStack(MOTO_ACCOUNT, MOTO_REGION, withOrderedTally));
  const cfn = new CloudFormationClient(config());
  for (const r of (await cfn.send(new ListStackResourcesCommand({ StackName: OPS_STACK }))).StackResourceSummaries ?? []) {
    if (r.LogicalResourceId && r.PhysicalResourceId) physical.set(r.LogicalResourceId, r.PhysicalResourceId);
  }
  // moto reports the bus without a physical id; EventBridge knows it by the name the template declares.
  const buses = (await new EventBridgeClient(config()).send(new ListEventBusesCommand({}))).EventBuses ?? [];
  busName = buses.find((b) => b.Name !== 'default')!.Name!;
  home = mkdtempSync(join(tmpdir(), 'busline-stack-cli-'));
});

after(async () => {
  await moto?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** `busline <args> --stack Ops --region us-east-1 --endpoint-url <moto>`, credentials from AWS_* variables only. */
function busline(...args: string[]): Promise<BuslineRun> {
  return onStack(OPS_STACK, ...args);
}

function onStack(stack: string, ...args: string[]): Promise<BuslineRun> {
  return runBusline([...args, '--stack', stack, '--region', MOTO_REGION, '--endpoint-url', moto.endpoint], {
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    // No shared config or credentials files: the environment is the whole chain here.
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  });
}

function succeeded(run: BuslineRun): string {
  assert.equal(run.code, 0, `busline failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

async function drain(url: string): Promise<Message[]> {
  const sqs = new SQSClient(config());
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    if (!out.Messages?.length) return all;
    all.push(...out.Messages);
  }
}

async function messageCount(url: string): Promise<number> {
  const sqs = new SQSClient(config());
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

async function emptyQueues(): Promise<void> {
  const sqs = new SQSClient(config());
  for (const [id, url] of physical) if (id.includes('Queue') || id.includes('Dlq')) await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
}

/** An event as EventBridge delivers it, in the Busline envelope. */
function greeting(id: string, name: string): Record<string, unknown> {
  return {
    version: '0', id: `eb-${id}`, 'detail-type': 'greeting.sent', source: 'test.greetings', account: MOTO_ACCOUNT,
    time: '2026-12-07T00:00:00Z', region: MOTO_REGION, resources: [],
    detail: { metadata: { id, correlationId: id }, data: { name, times: 1 } },
  };
}

/**
 * A dead letter EventBridge writes when a rule cannot deliver to its target: the event as the
 * body, the failure in message attributes. "Using dead-letter queues to process undelivered
 * events", EventBridge User Guide:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html
 */
async function ruleTargetDeadLetter(dlqUrl: string, event: Record<string, unknown>, ruleArn: string, targetArn: string): Promise<void> {
  const str = (v: string) => ({ DataType: 'String', StringValue: v });
  await new SQSClient(config()).send(new SendMessageCommand({
    QueueUrl: dlqUrl, MessageBody: JSON.stringify(event),
    MessageAttributes: {
      RULE_ARN: str(ruleArn), TARGET_ARN: str(targetArn), ERROR_CODE: str('SQSQueueDoesNotExist'),
      ERROR_MESSAGE: str('The queue does not exist'), EXHAUSTED_RETRY_CONDITION: str('MaximumRetryAttempts'),
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '185' },
    },
  }));
}

const ruleArn = (prefix: string): string => `arn:aws:events:${MOTO_REGION}:${MOTO_ACCOUNT}:rule/${busName}/${resource(prefix)}`;

test('status on a deployed stack lists each subscription with queue depth, the CloudWatch age of its oldest message, in-flight and DLQ depth', async () => {
  await emptyQueues();
  const sqs = new SQSClient(config());
  const recordQueue = resource('GreetingsRecordQueue');
  for (const id of ['s-1', 's-2']) await sqs.send(new SendMessageCommand({ QueueUrl: recordQueue, MessageBody: JSON.stringify(greeting(id, 'Ada')) }));
  await sqs.send(new SendMessageCommand({ QueueUrl: resource('GreetingsRefuseDlq'), MessageBody: '{}' }));
  // ApproximateAgeOfOldestMessage is SQS's own CloudWatch metric (namespace AWS/SQS, dimension
  // QueueName, seconds): "Available CloudWatch metrics for Amazon SQS", SQS Developer Guide,
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
  // moto publishes no SQS metrics: the test puts the datapoint SQS would.
  const queueName = recordQueue.slice(recordQueue.lastIndexOf('/') + 1);
  await new CloudWatchClient(config()).send(new PutMetricDataCommand({
    Namespace: 'AWS/SQS', MetricData: [{ MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueName }], Value: 42, Unit: 'Seconds', Timestamp: new Date() }],
  }));

  const out = succeeded(await busline('status'));
  assert.match(out, new RegExp(`status of stack ${OPS_STACK} \\(${MOTO_REGION}\\)`));
  const row = (name: string): string[] => out.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s+/) ?? [];
  assert.deepEqual(row('record'), ['record', '2', '42s', '0', '0', '-']);
  assert.deepEqual(row('refuse'), ['refuse', '-', '-', '-', '1', '-'], 'a direct subscription has no queue, only its DLQ');
});

test('dlq list and show on a deployed stack name each dead letter with its kind, its event and the reason it failed', async () => {
  await emptyQueues();
  const event = greeting('show-1', 'Grace');
  await ruleTargetDeadLetter(resource('GreetingsGreetDlq'), event, ruleArn('GreetingsGreetRule'), 'arn:aws:sqs:us-east-1:123456789012:gone');

  const list = succeeded(await busline('dlq', 'list'));
  assert.match(list, /^greet\s+1\s+Ops-GreetingsGreetDlq/m);
  assert.match(list, /^record\s+0\s/m);

  const show = succeeded(await busline('dlq', 'show', 'greet'));
  assert.match(show, /rule-target/);
  assert.match(show, /event: greeting\.sent id=show-1/);
  assert.match(show, /reason: SQSQueueDoesNotExist: The queue does not exist {2}\(attempts: 186\)/);
});

test("dlq redrive of a queue subscription's rule-target dead letter sends the event back to exactly its queue, with its identity and its history", async () => {
  await emptyQueues();
  const event = greeting('redrive-q-1', 'Edsger');
  await ruleTargetDeadLetter(resource('GreetingsGreetDlq'), event, ruleArn('GreetingsGreetRule'), 'arn:aws:sqs:us-east-1:123456789012:gone');

  // moto has no StartMessageMoveTask: the one-by-one redrive, which is also the one that writes history.
  const out = succeeded(await busline('dlq', 'redrive', 'greet', '--one-by-one', '--rate', '50'));
  assert.match(out, /redrove 1 message\(s\) from Ops-GreetingsGreetDlq\S+ to queue Ops-GreetingsGreetQueue/);

  const [back, ...more] = await drain(resource('GreetingsGreetQueue'));
  assert.equal(more.length, 0);
  const body = JSON.parse(back!.Body!) as Record<string, unknown> & { detail: { metadata: { id: string } } };
  assert.equal(body.id, 'eb-redrive-q-1', 'the EventBridge event id is kept');
  assert.equal(body.detail.metadata.id, 'redrive-q-1', 'the metadata id (the dedupe key) is kept');
  assert.deepEqual(body.detail, event.detail);
  const [entry, ...earlier] = body['busline-redrive'] as { kind: string; reason: string; attempts: number }[];
  assert.equal(earlier.length, 0);
  assert.deepEqual([entry!.kind, entry!.reason, entry!.attempts], ['rule-target', 'SQSQueueDoesNotExist: The queue does not exist', 186]);
  assert.equal(await messageCount(resource('GreetingsGreetDlq')), 0);
  assert.equal(await messageCount(resource('GreetingsRecordQueue')), 0, 'no other subscription received it');
});

test("dlq redrive of a direct subscription's Lambda on-failure record invokes only its function and empties its DLQ", async () => {
  await emptyQueues();
  // The invocation record Lambda sends to an on-failure destination: "Capturing records of
  // Lambda asynchronous invocations", Lambda Developer Guide,
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
  const fn = resource('GreetingsRefuseFunction');
  const record = {
    version: '1.0', timestamp: '2026-12-07T00:00:00.000Z',
    requestContext: { requestId: 'r-1', functionArn: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:${fn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 1 },
    requestPayload: greeting('redrive-d-1', 'Mallory'),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'refusing to greet Mallory' },
  };
  await new SQSClient(config()).send(new SendMessageCommand({ QueueUrl: resource('GreetingsRefuseDlq'), MessageBody: JSON.stringify(record) }));

  // Lambda's Invoke with InvocationType Event queues the event for the function:
  // "Invoke", Lambda API Reference, https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
  const out = succeeded(await busline('dlq', 'redrive', 'refuse'));
  assert.match(out, new RegExp(`redrove 1 message\\(s\\) from Ops-GreetingsRefuseDlq\\S+ to function ${fn}`));
  assert.equal(await messageCount(resource('GreetingsRefuseDlq')), 0);
  // Not published to the bus: the queue subscription on the same topic received nothing.
  assert.equal(await messageCount(resource('GreetingsGreetQueue')), 0);
});

test("an ordered subscription's delivery DLQ on a deployed stack: status and dlq list count it, and redrive sends its dead letter to exactly the FIFO queue, in the event's message group", async () => {
  await emptyQueues();
  const deliveryDlq = resource('GreetingsTallyDeliveryDlq');
  const fifoQueue = resource('GreetingsTallyQueue');
  await ruleTargetDeadLetter(deliveryDlq, greeting('ordered-1', 'Hedy'), ruleArn('GreetingsTallyRule'), `arn:aws:sqs:${MOTO_REGION}:${MOTO_ACCOUNT}:gone.fifo`);

  const status = succeeded(await busline('status'));
  assert.equal(status.split('\n').find((l) => l.startsWith('tally '))?.trim().split(/\s+/)[4], '1', status);
  const list = succeeded(await busline('dlq', 'list'));
  assert.match(list, /^tally\s+0\s+Ops-GreetingsTallyDlq\S+\.fifo$/m);
  assert.match(list, /^tally\s+1\s+Ops-GreetingsTallyDeliveryDlq\S+ \(delivery\)$/m);

  const out = succeeded(await busline('dlq', 'redrive', 'tally', '--one-by-one'));
  assert.match(out, /redrove 1 message\(s\) from \S+ and Ops-GreetingsTallyDeliveryDlq\S+ to queue Ops-GreetingsTallyQueue\S+\.fifo/);
  const [back, ...more] = await drain(fifoQueue);
  assert.equal(more.length, 0);
  // The group the rule's target reads from the event: SqsParameters.MessageGroupId
  // "$.detail.data.name" ("SqsParameters", EventBridge API Reference,
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html).
  assert.equal(back!.Attributes?.MessageGroupId, 'Hedy');
  const body = JSON.parse(back!.Body!) as { id: string; detail: { metadata: { id: string } }; 'busline-redrive': { kind: string }[] };
  assert.deepEqual([body.id, body.detail.metadata.id], ['eb-ordered-1', 'ordered-1'], 'its identity is kept');
  assert.deepEqual(body['busline-redrive'].map((h) => h.kind), ['rule-target']);
  assert.equal(await messageCount(deliveryDlq), 0);
  assert.equal(await messageCount(resource('GreetingsGreetQueue')), 0, 'no other subscription received it');
});

test('publish on a deployed stack validates the payload and puts the event on the flow bus, where the subscribed queue receives it', async () => {
  await emptyQueues();
  const out = succeeded(await busline('publish', 'greeting.sent', '{"name":"Barbara","times":2}', '--id', 'pub-1'));
  assert.match(out, /published greeting\.sent id=pub-1/);
  const [received] = await drain(resource('GreetingsGreetQueue'));
  const body = JSON.parse(received!.Body!) as { detail: { metadata: { id: string }; data: unknown } };
  assert.equal(body.detail.metadata.id, 'pub-1');
  assert.deepEqual(body.detail.data, { name: 'Barbara', times: 2 });

  const invalid = await busline('publish', 'greeting.sent', '{"name":"Barbara","times":"twice"}');
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /\/times must be integer/);
});

test("replay on a deployed stack starts a replay from the flow's archive to the bus, and with --subscription names only that subscription's rule", async () => {
  await emptyQueues();
  const events = new EventBridgeClient(config());
  await events.send(new PutEventsCommand({ Entries: [{
    EventBusName: busName, Source: 'test.greetings', DetailType: 'greeting.sent',
    Detail: JSON.stringify({ metadata: { id: 'replay-1' }, data: { name: 'Ada', times: 1 } }),
  }] }));
  await drain(resource('GreetingsGreetQueue'));

  const all = succeeded(await busline('replay', '--from', '1h'));
  assert.match(all, /→ every rule/);
  const allName = /replay (busline-\d+)/.exec(all)![1]!;
  const allReplay = await events.send(new DescribeReplayCommand({ ReplayName: allName }));
  assert.equal(allReplay.Destination?.FilterArns, undefined);
  const replayed = (await drain(resource('GreetingsGreetQueue'))).map((m) => JSON.parse(m.Body!) as { 'replay-name'?: string; detail: { metadata: { id: string } } });
  assert.equal(replayed.find((e) => e.detail.metadata.id === 'replay-1')?.['replay-name'], allName, 'the archived event came back, marked with the replay');

  // ReplayDestination.FilterArns: "A list of ARNs for rules to replay events to", EventBridge
  // API Reference, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ReplayDestination.html
  const one = succeeded(await busline('replay', '--from', '1h', '--subscription', 'record'));
  assert.match(one, /→ record only/);
  const oneName = /replay (busline-\d+)/.exec(one)![1]!;
  const oneReplay = await events.send(new DescribeReplayCommand({ ReplayName: oneName }));
  assert.deepEqual(oneReplay.Destination?.FilterArns, [ruleArn('GreetingsRecordRule')]);
  assert.match(oneReplay.EventSourceArn ?? '', /:archive\//);
});

test("tail on a deployed stack prints the functions' CloudWatch Logs lines as busline events renders them, without metric lines", async () => {
  const logs = new CloudWatchLogsClient(config());
  const logGroupName = resource('GreetingsGreetLogs');
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'tail-1' }));
  const now = Date.now();
  await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: 'tail-1', logEvents: [
    { timestamp: now, message: JSON.stringify({ level: 'info', message: 'greeted', flow: 'Greetings', subscription: 'greet', greetedName: 'Ada' }) },
    { timestamp: now + 1, message: JSON.stringify({ _aws: { CloudWatchMetrics: [] }, Handled: 1 }) },
  ] }));

  const out = succeeded(await busline('tail', '--subscription', 'greet', '--since', '1h'));
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, out);
  assert.match(lines[0]!, /greet {2}INFO greeted {2}greetedName=Ada$/);
});

test('an unknown --profile fails, naming the profile the credential chain could not find', async () => {
  const run = await runBusline(['status', '--stack', OPS_STACK, '--region', MOTO_REGION, '--endpoint-url', moto.endpoint, '--profile', 'nosuch'], {
    AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /nosuch/);
});

test('a stack that does not exist is refused, naming it', async () => {
  const run = await onStack('NoSuchStack', 'status');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /NoSuchStack/);
});
