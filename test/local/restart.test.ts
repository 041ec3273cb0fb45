/**
 * What a clean stop and start keep: queue messages and their receive counts, the FIFO dedupe
 * window, the journal's sequence, and DynamoDB tables (dynalite on LevelDB in the state folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startEngine } from './support/engine-fixture.ts';

test('queued messages, receive counts and the FIFO dedupe window survive a restart', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: 'keep', Attributes: { VisibilityTimeout: '0' } }));
  const fifo = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'keep.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
  await f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survivor' }));
  await f.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const first = await f.sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));

  f = await f.restart();
  const url = f.engine.queue('keep').url;
  const { Messages } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
  assert.equal(Messages?.[0]?.Body, 'survivor');
  assert.equal(Messages?.[0]?.Attributes?.['ApproximateReceiveCount'], '2');
  const again = await f.sqs.send(new SendMessageCommand({ QueueUrl: f.engine.queue('keep.fifo').url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
  assert.equal(again.MessageId, first.MessageId);
  const attributes = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: f.engine.queue('keep.fifo').url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!;
  assert.equal(attributes['ApproximateNumberOfMessages'], '1');
});

test('queue state is rebuilt exactly after many snapshots (compactions) taken while messages flow', async (t) => {
  let f = await startEngine({ compactLogAfterBytes: 2_000 });
  t.after(() => f.close());
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: 'churn', Attributes: { VisibilityTimeout: '0' } }));
  const kept = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const sends = await Promise.all(Array.from({ length: 10 }, (_, i) => f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m-${round}-${i}` }))));
    for (const s of sends) kept.add(s.MessageId!);
    const { Messages = [] } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3 }));
    for (const m of Messages) {
      await f.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      kept.delete(m.MessageId!);
    }
  }
  f = await f.restart();
  const url = f.engine.queue('churn').url;
  const seen = new Set<string>();
  for (;;) {
    const { Messages = [] } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    if (Messages.length === 0) break;
    for (const m of Messages) seen.add(m.MessageId!);
  }
  assert.deepEqual([...seen].sort(), [...kept].sort());
});

test('messages in flight when the engine stopped are visible again at start (their consumers stopped with it)', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: 'inflight', Attributes: { VisibilityTimeout: '600' } }));
  await f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'lease' }));
  assert.equal((await f.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.length, 1);
  f = await f.restart();
  const { Messages } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.engine.queue('inflight').url }));
  assert.equal(Messages?.[0]?.Body, 'lease');
});

test('DynamoDB tables and items survive a restart (dynalite keeps them in the state folder)', async (t) => {
  let f = await startEngine({
    withoutDynamoDb: false,
    setup: (e) => e.createTable({ TableName: 'Reservations', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  });
  t.after(() => f.close());
  await f.dynamodb.send(new PutItemCommand({ TableName: 'Reservations', Item: { pk: { S: 'order-1' }, runs: { N: '1' } } }));
  f = await f.restart();
  const { Item } = await f.dynamodb.send(new GetItemCommand({ TableName: 'Reservations', Key: { pk: { S: 'order-1' } } }));
  assert.deepEqual(Item, { pk: { S: 'order-1' }, runs: { N: '1' } });
});
