/**
 * PurgeQueue's once-a-minute rule, against the engine on a hand-moved clock (no case waits on
 * wall time). "PurgeQueue - Amazon Simple Queue Service" (SQS API reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html):
 * "The message deletion process takes up to 60 seconds"; Errors: PurgeQueueInProgress,
 * "Indicates that the specified queue previously received a PurgeQueue request within the last
 * 60 seconds" (HTTP 403 in the SQS service model).
 *
 * moto_server 5.2.1 purges again at once, so these cases run on the engine only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { engineOnHandClock } from './support/hand-clock.ts';

const { clock, sqs } = engineOnHandClock();

let n = 0;
const queue = async (): Promise<string> => (await sqs().send(new CreateQueueCommand({ QueueName: `purge-${++n}` }))).QueueUrl!;

test('a second PurgeQueue within 60 seconds fails with PurgeQueueInProgress (HTTP 403)', async () => {
  const QueueUrl = await queue();
  await sqs().send(new PurgeQueueCommand({ QueueUrl }));
  clock.advance(59_000);
  await assert.rejects(sqs().send(new PurgeQueueCommand({ QueueUrl })), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, 'PurgeQueueInProgress');
    assert.equal(error.$metadata?.httpStatusCode, 403);
    return true;
  });
});

test('PurgeQueue 60 seconds after the previous one purges again', async () => {
  const QueueUrl = await queue();
  await sqs().send(new PurgeQueueCommand({ QueueUrl }));
  await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'sent after the first purge' }));
  clock.advance(60_000);
  await sqs().send(new PurgeQueueCommand({ QueueUrl }));
  assert.deepEqual((await sqs().send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? [], []);
});

test('the once-a-minute rule is per queue: purging one queue does not hold back another', async () => {
  const one = await queue();
  const two = await queue();
  await sqs().send(new PurgeQueueCommand({ QueueUrl: one }));
  await sqs().send(new PurgeQueueCommand({ QueueUrl: two }));
});
