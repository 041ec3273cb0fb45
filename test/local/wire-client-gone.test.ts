/**
 * A call whose client goes away before the answer: the engine stops waiting on its behalf. A
 * long poll (ReceiveMessage with WaitTimeSeconds) that its client abandoned must not take a
 * message sent afterwards, or that message would sit in flight, received by nobody, for its
 * visibility timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startEngine, sleep, type EngineFixture } from './support/engine-fixture.ts';

let f: EngineFixture;
before(async () => {
  f = await startEngine();
});
after(() => f.close());

test('a long poll whose client hung up takes no message sent after it', async () => {
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: 'abandoned-long-poll' }));
  const hangUp = new AbortController();
  const abandoned = f.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), { abortSignal: hangUp.signal });
  await sleep(200);
  hangUp.abort();
  await assert.rejects(abandoned);
  await sleep(200);
  const sent = await f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'for whoever asks next' }));
  const { Messages } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.deepEqual(Messages?.map((m) => m.MessageId), [sent.MessageId]);
});
