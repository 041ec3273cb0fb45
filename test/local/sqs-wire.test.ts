/**
 * SQS semantics of the local engine, exercised with the AWS SDK v3 SQS client over the wire.
 */
import { test, before, after } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { md5OfAttributes } from '../../lib/local/sqs/md5.ts';
import { startEngine, sleep, type EngineFixture } from './support/engine-fixture.ts';

let f: EngineFixture;
before(async () => {
  f = await startEngine();
});
after(() => f.close());

let n = 0;
async function queue(attributes: Record<string, string> = {}, fifo = false): Promise<string> {
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: `q${++n}${fifo ? '.fifo' : ''}`, Attributes: attributes }));
  return QueueUrl!;
}

async function receive(QueueUrl: string, max = 10, extra: Record<string, unknown> = {}): Promise<Message[]> {
  const { Messages } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], ...extra }));
  return Messages ?? [];
}

test('message attribute MD5 follows the SQS algorithm (known digest of one String attribute)', () => {
  assert.equal(md5OfAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } }), '19e27d4e946b072f3f58da80d94fd778');
});

test('a sent message is received with its body, attributes and the digests the SDK verifies', async () => {
  const url = await queue();
  const sent = await f.sqs.send(new SendMessageCommand({
    QueueUrl: url,
    MessageBody: 'héllo',
    MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) }, n: { DataType: 'Number', StringValue: '42' } },
  }));
  assert.equal(sent.MD5OfMessageBody, createHash('md5').update('héllo', 'utf8').digest('hex'));
  const [message] = await receive(url);
  assert.ok(message);
  assert.equal(message.Body, 'héllo');
  assert.equal(message.MessageId, sent.MessageId);
  assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(Buffer.from(message.MessageAttributes!['blob']!.BinaryValue!), Buffer.from([1, 2, 3]));
  assert.equal(message.MessageAttributes!['n']!.StringValue, '42');
  assert.equal(message.Attributes!['ApproximateReceiveCount'], '1');
});

test('a received message is invisible until its visibility timeout ends, then comes back with a higher receive count', async () => {
  const url = await queue({ VisibilityTimeout: '1' });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
  assert.equal((await receive(url)).length, 1);
  assert.equal((await receive(url)).length, 0);
  await sleep(1100);
  const [back] = await receive(url);
  assert.equal(back?.Attributes!['ApproximateReceiveCount'], '2');
});

test('a deleted message is not delivered again', async () => {
  const url = await queue({ VisibilityTimeout: '1' });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
  const [m] = await receive(url);
  await f.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }));
  await sleep(1100);
  assert.equal((await receive(url)).length, 0);
});

test('ChangeMessageVisibility(0) makes an in-flight message visible at once', async () => {
  const url = await queue({ VisibilityTimeout: '300' });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  const [m] = await receive(url);
  await f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 0 }));
  assert.equal((await receive(url)).length, 1);
});

test('ChangeMessageVisibility cannot extend a lease beyond 12 hours after the receive', async () => {
  const url = await queue({ VisibilityTimeout: '300' });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  const [m] = await receive(url);
  await f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 43_200 }));
  await sleep(1100);
  await assert.rejects(
    f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 43_200 })),
    /beyond the limit/,
  );
});

test('ChangeMessageVisibility on a message that is not in flight fails with MessageNotInflight', async () => {
  const url = await queue({ VisibilityTimeout: '300' });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  const [m] = await receive(url);
  await f.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }));
  await assert.rejects(
    f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 10 })),
    (error: Error) => error.name === 'MessageNotInflight' || /MessageNotInflight/.test(String((error as { Code?: string }).Code)),
  );
});

test('after maxReceiveCount receives the message moves to the dead-letter queue, with its source ARN', async () => {
  const dlq = await queue();
  const { Attributes } = await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
  const url = await queue({ VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!['QueueArn'], maxReceiveCount: 2 }) });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
  assert.equal((await receive(url)).length, 1);
  assert.equal((await receive(url)).length, 1);
  assert.equal((await receive(url)).length, 0);
  const [dead] = await receive(dlq);
  assert.equal(dead?.Body, 'poison');
  assert.match(dead!.Attributes!['DeadLetterQueueSourceArn']!, /:q\d+$/);
});

test('StartMessageMoveTask moves dead letters back to their source queue with a fresh receive count', async () => {
  const dlq = await queue();
  const dlqArn = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
  const url = await queue({ VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'redrive me' }));
  await receive(url);
  await receive(url); // moves it to the DLQ
  const task = await f.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  assert.ok(task.TaskHandle);
  const [back] = await receive(url);
  assert.equal(back?.Body, 'redrive me');
  assert.equal(back?.Attributes!['ApproximateReceiveCount'], '1');
});

test('DelaySeconds hides a message until the delay has passed', async () => {
  const url = await queue();
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
  assert.equal((await receive(url)).length, 0);
  const counts = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }))).Attributes!;
  assert.equal(counts['ApproximateNumberOfMessagesDelayed'], '1');
  await sleep(1100);
  assert.equal((await receive(url)).length, 1);
});

test('a long poll returns as soon as a message arrives', async () => {
  const url = await queue();
  const polling = receive(url, 1, { WaitTimeSeconds: 20 });
  await sleep(100);
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
  const [m] = await polling;
  assert.equal(m?.Body, 'wake up');
});

test('a long poll abandoned by its client does not take a message sent afterwards', async () => {
  const url = await queue();
  const abandon = new AbortController();
  const poll = fetch(f.engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
    body: JSON.stringify({ QueueUrl: url, WaitTimeSeconds: 20 }),
    signal: abandon.signal,
  }).catch(() => undefined);
  await sleep(100);
  abandon.abort();
  await poll;
  await sleep(50);
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next poll' }));
  const [m] = await receive(url);
  assert.equal(m?.Body, 'for the next poll');
  assert.equal(m?.Attributes!['ApproximateReceiveCount'], '1');
});

test('a FIFO queue delivers a group in order and holds the group while a message of it is in flight', async () => {
  const url = await queue({ FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '300' }, true);
  for (const body of ['a1', 'b1', 'a2', 'a3']) {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: body[0] }));
  }
  const first = await receive(url, 1);
  assert.deepEqual(first.map((m) => m.Body), ['a1']);
  const second = await receive(url, 10);
  assert.deepEqual(second.map((m) => m.Body), ['b1']); // group a is blocked by a1
  await f.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0]!.ReceiptHandle! }));
  const third = await receive(url, 10);
  assert.deepEqual(third.map((m) => m.Body), ['a2', 'a3']);
  assert.ok(BigInt(third[0]!.Attributes!['SequenceNumber']!) < BigInt(third[1]!.Attributes!['SequenceNumber']!));
});

test('a long poll on a FIFO queue whose group is blocked returns when the in-flight message becomes visible again', async () => {
  const url = await queue({ FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '1' }, true);
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first', MessageGroupId: 'g' }));
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second', MessageGroupId: 'g' }));
  assert.deepEqual((await receive(url, 1)).map((m) => m.Body), ['first']);
  const again = await receive(url, 1, { WaitTimeSeconds: 10 });
  assert.deepEqual(again.map((m) => [m.Body, m.Attributes!['ApproximateReceiveCount']]), [['first', '2']]);
});

test('a FIFO queue drops a duplicate sent within the dedupe window and answers with the first message id', async () => {
  const url = await queue({ FifoQueue: 'true' }, true);
  const one = await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd-1' }));
  const two = await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd-1' }));
  assert.equal(two.MessageId, one.MessageId);
  assert.equal((await receive(url)).length, 1);
});

test('a FIFO queue without content-based dedupe refuses a message without a deduplication id', async () => {
  const url = await queue({ FifoQueue: 'true' }, true);
  await assert.rejects(f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })), /ContentBasedDeduplication/);
});

test('batch send and delete report each entry, failed ones with their code', async () => {
  const url = await queue();
  const sent = await f.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two', DelaySeconds: 5000 }] }));
  assert.deepEqual(sent.Successful?.map((e) => e.Id), ['a']);
  assert.equal(sent.Failed?.[0]?.Id, 'b');
  assert.equal(sent.Failed?.[0]?.Code, 'InvalidParameterValue');
  const [m] = await receive(url);
  const deleted = await f.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x', ReceiptHandle: m!.ReceiptHandle! }, { Id: 'y', ReceiptHandle: 'garbage' }] }));
  assert.deepEqual(deleted.Successful?.map((e) => e.Id), ['x']);
  assert.equal(deleted.Failed?.[0]?.Code, 'ReceiptHandleIsInvalid');
});

test('PurgeQueue removes every message', async () => {
  const url = await queue();
  await f.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  await f.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  assert.equal((await receive(url)).length, 0);
});

test('GetQueueUrl and ListQueues find queues by name and prefix', async () => {
  const url = await queue();
  const name = url.slice(url.lastIndexOf('/') + 1);
  assert.equal((await f.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, url);
  const { QueueUrls } = await f.sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
  assert.deepEqual(QueueUrls, [url]);
});

test('a missing queue is reported as QueueDoesNotExist in AWS JSON shape with the query-error header', async () => {
  const response = await fetch(f.engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
    body: JSON.stringify({ QueueName: 'nope' }),
  });
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  const body = (await response.json()) as { __type: string; message: string };
  assert.equal(body.__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  await assert.rejects(f.sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })), (error: Error) => error.name === 'QueueDoesNotExist');
});

test('an unknown SQS action is refused with UnsupportedOperation', async () => {
  const response = await fetch(f.engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.NoSuchAction' },
    body: '{}',
  });
  assert.equal(response.status, 400);
  assert.equal(((await response.json()) as { __type: string }).__type, 'com.amazonaws.sqs#UnsupportedOperation');
});

/** Posts one SQS JSON request; returns what an error response carries. */
async function wireError(action: string, input: Record<string, unknown>): Promise<{ status: number; type: string; queryError: string | null }> {
  const response = await fetch(f.engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { __type: string };
  return { status: response.status, type: body.__type, queryError: response.headers.get('x-amzn-query-error') };
}

// "SendMessageBatch - Amazon Simple Queue Service", Errors (each HTTP 400), with the
// awsQueryError code of each shape in the SQS service model (AWS.SimpleQueueService.<Shape>).
test('the batch request errors answer their JSON __type, x-amzn-query-error code and HTTP 400', async () => {
  const QueueUrl = await queue();
  const entry = (Id: string, MessageBody = 'x') => ({ Id, MessageBody });
  const cases: Array<[string, unknown[]]> = [
    ['EmptyBatchRequest', []],
    ['TooManyEntriesInBatchRequest', Array.from({ length: 11 }, (_, i) => entry(`e${i}`))],
    ['BatchEntryIdsNotDistinct', [entry('same'), entry('same')]],
    ['InvalidBatchEntryId', [entry('not valid!')]],
    ['BatchRequestTooLong', [entry('a', 'a'.repeat(600_000)), entry('b', 'b'.repeat(600_000))]],
  ];
  for (const [shape, Entries] of cases) {
    assert.deepEqual(await wireError('SendMessageBatch', { QueueUrl, Entries }), {
      status: 400, type: `com.amazonaws.sqs#${shape}`, queryError: `AWS.SimpleQueueService.${shape};Sender`,
    }, shape);
  }
});

// "DeleteMessage - Amazon Simple Queue Service", Errors: ReceiptHandleIsInvalid, HTTP 404 in the
// SQS service model (awsQueryError ReceiptHandleIsInvalid, 404).
test('a receipt handle that does not parse answers ReceiptHandleIsInvalid with HTTP 404', async () => {
  const QueueUrl = await queue();
  assert.deepEqual(await wireError('DeleteMessage', { QueueUrl, ReceiptHandle: 'garbage' }), {
    status: 404, type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', queryError: 'ReceiptHandleIsInvalid;Sender',
  });
});

// "StartMessageMoveTask - Amazon Simple Queue Service", Errors: ResourceNotFoundException, HTTP 404.
test('a move task from a queue that does not exist answers ResourceNotFoundException with HTTP 404', async () => {
  assert.deepEqual(await wireError('StartMessageMoveTask', { SourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' }), {
    status: 404, type: 'com.amazonaws.sqs#ResourceNotFoundException', queryError: 'ResourceNotFoundException;Sender',
  });
});

// "AddPermission - Amazon Simple Queue Service", Errors: OverLimit, HTTP 403.
test('AddPermission with more than seven actions answers OverLimit with HTTP 403', async () => {
  const QueueUrl = await queue();
  const Actions = ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'PurgeQueue', 'ListDeadLetterSourceQueues'];
  assert.deepEqual(await wireError('AddPermission', { QueueUrl, Label: 'many', AWSAccountIds: ['111122223333'], Actions }), {
    status: 403, type: 'com.amazonaws.sqs#OverLimit', queryError: 'OverLimit;Sender',
  });
});
