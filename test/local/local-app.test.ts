/**
 * startLocalApp on a plain aws-cdk-lib app (no Busline constructs): rule → queue → event
 * source mapping → function, and rule → function (async invoke with on-failure destination).
 * Everything is observed over the wire with the AWS SDK.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalApp, type LocalApp } from '../../lib/local/app.ts';
import { journalPath, readJournal } from '../../lib/cli/journal-file.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { synthMiniAppToTemp } from '../fixtures/mini-app/synth-temp.ts';

const asm = synthMiniAppToTemp();
const stateDir = mkdtempSync(join(tmpdir(), 'busline-app-'));
let app: LocalApp;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let events: EventBridgeClient;

before(async () => {
  app = await startLocalApp({ assembly: asm.dir, stateDir, asyncRetryBaseDelayMs: 50 });
  const config = { endpoint: app.engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  ddb = new DynamoDBClient(config);
  sqs = new SQSClient(config);
  events = new EventBridgeClient(config);
});
after(async () => {
  await app?.stop();
  asm.cleanup();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The journal as the CLI reads it: from the file (the engine writes it as records happen). */
const journal = (kind: JournalRecord['kind']): JournalRecord[] => readJournal(journalPath(stateDir)).records.filter((r) => r.kind === kind);

const name = (prefix: string, list: 'queues' | 'functions' | 'tables'): string =>
  (app.model[list] as readonly { logicalId: string; name: string }[]).find((x) => x.logicalId.startsWith(prefix))!.name;

async function put(detailType: string, orderId: string): Promise<void> {
  const out = await events.send(new PutEventsCommand({
    Entries: [{ EventBusName: 'mini-bus', Source: 'mini.orders', DetailType: detailType, Detail: JSON.stringify({ orderId }) }],
  }));
  assert.equal(out.FailedEntryCount, 0);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const item = (orderId: string) => async () =>
  (await ddb.send(new GetItemCommand({ TableName: name('SeenTable', 'tables'), Key: { pk: { S: orderId } } }))).Item;

async function receiveOne(queuePrefix: string) {
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name(queuePrefix, 'queues') }))).QueueUrl!;
  return until(`a message on ${queuePrefix}`, async () => {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    return out.Messages?.[0];
  });
}

test('an event routed to a queue reaches the function through the event source mapping, with the record in AWS SQS event shape', async () => {
  await put('order.placed', 'q-1');
  const got = await until('the q-1 item', item('q-1'));
  assert.equal(got.fn!.S, name('Worker', 'functions'));
  const record = JSON.parse(got.record!.S!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(record).sort(), [
    'attributes', 'awsRegion', 'eventSource', 'eventSourceARN', 'md5OfBody', 'messageAttributes', 'messageId', 'receiptHandle',
  ]);
  assert.equal(record.eventSource, 'aws:sqs');
  assert.equal(record.awsRegion, 'us-east-1');
  assert.equal(record.eventSourceARN, app.model.queues.find((q) => q.logicalId.startsWith('WorkQueue'))!.arn);
  const attributes = record.attributes as Record<string, string>;
  // 1 normally; more when a slow machine let the 2 s visibility timeout of the fixture run out.
  assert.match(attributes.ApproximateReceiveCount!, /^[1-9]\d*$/);
  assert.match(attributes.SentTimestamp!, /^\d{13}$/);
  assert.ok(attributes.ApproximateFirstReceiveTimestamp && attributes.SenderId);
});

test('a rule → Lambda target invokes the function asynchronously', async () => {
  await put('order.shipped', 'd-1');
  const got = await until('the d-1 item', item('d-1'));
  assert.equal(got.fn!.S, name('Direct', 'functions'));
});

test('a record reported in batchItemFailures is retried and reaches the DLQ at maxReceiveCount', async () => {
  await put('order.placed', 'FAIL-q-2');
  const message = await receiveOne('WorkDlq');
  assert.equal(JSON.parse(message.Body!).detail.orderId, 'FAIL-q-2');
  assert.equal(message.Attributes?.ApproximateReceiveCount !== undefined, true);
  const forIt = await until('both failed receives in the journal', async () => {
    const failed = journal('invocation.finished').filter((r) => r.kind === 'invocation.finished' && r.failedMessageIds?.length);
    return failed.length >= 2 ? failed : undefined;
  });
  assert.equal(forIt.length, 2, 'two receives (maxReceiveCount 2), each reported as a partial failure');
});

test('a malformed batch response (empty itemIdentifier) fails the whole batch', async () => {
  await put('order.placed', 'MALFORMED-q-3');
  await until('the malformed-response journal record', async () => {
    return journal('invocation.finished').find((r) => r.kind === 'invocation.finished' && r.error?.includes('malformed batch response'));
  });
});

test('an async invoke that keeps failing is retried MaximumRetryAttempts times, then sent to the on-failure queue as an invocation record', async () => {
  await put('order.shipped', 'FAIL-d-2');
  const message = await receiveOne('DirectDlq');
  const record = JSON.parse(message.Body!) as {
    version: string; requestContext: { condition: string; approximateInvokeCount: number; functionArn: string };
    requestPayload: { detail: { orderId: string } }; responseContext: { functionError: string }; responsePayload: { errorMessage: string };
  };
  assert.equal(record.version, '1.0');
  assert.equal(record.requestContext.condition, 'RetriesExhausted');
  assert.equal(record.requestContext.approximateInvokeCount, 2, 'first attempt + MaximumRetryAttempts 1');
  assert.equal(record.requestContext.functionArn, `${app.model.functions.find((f) => f.logicalId.startsWith('Direct'))!.arn}:$LATEST`);
  assert.equal(record.requestPayload.detail.orderId, 'FAIL-d-2');
  assert.equal(record.responseContext.functionError, 'Unhandled');
  assert.equal(record.responsePayload.errorMessage, 'order FAIL-d-2 failed');
});

test('function console output is captured per invocation in the journal', async () => {
  await put('order.placed', 'q-logs');
  await until('the q-logs item', item('q-logs'));
  await until('the q-logs invocation with its logs in the journal', async () =>
    journal('invocation.finished').find((r) => r.kind === 'invocation.finished' && r.logs?.some((l) => l.includes('handling q-logs'))));
});
