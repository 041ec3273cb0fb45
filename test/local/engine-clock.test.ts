/**
 * The engine keeps AWS's deadlines on the clock it is given (lib/local/clock.ts), not on wall
 * time: a harness that owns the clock decides when a delay or a visibility timeout has passed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeMessageVisibilityCommand, CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { VirtualClock } from '../../lib/testing/virtual-clock.ts';
import { startEngine } from './support/engine-fixture.ts';

test('a delayed message becomes receivable when the engine clock passes its delay, not before', async () => {
  // SendMessage DelaySeconds: "the length of time, in seconds, for which to delay a specific
  // message" (Amazon SQS API Reference, SendMessage).
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const fx = await startEngine({ clock });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'clocked' }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 900 }));
    const receiveNow = async () => (await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages ?? [];
    assert.deepEqual(await receiveNow(), []);
    await clock.advance(899_000);
    assert.deepEqual(await receiveNow(), []);
    await clock.advance(1_000);
    assert.deepEqual((await receiveNow()).map((m) => m.Body), ['later']);
  } finally {
    await fx.close();
  }
});

test('a waiting long poll is answered when the engine clock makes a message visible again', async () => {
  // ChangeMessageVisibility: the message becomes visible to other consumers when its new
  // visibility timeout ends (Amazon SQS API Reference, ChangeMessageVisibility).
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const fx = await startEngine({ clock });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'clocked-visibility' }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const [first] = (await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages ?? [];
    assert.ok(first?.ReceiptHandle);
    await fx.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 10 }));
    const poll = fx.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    // Once the poll waits in the engine (its 20 s wait is on the clock), move the clock past the
    // 10 s visibility timeout and not as far as the poll's own end.
    while (!clock.pending().includes(clock.now() + 20_000)) await new Promise((resolve) => setTimeout(resolve, 5));
    await clock.advance(15_000);
    const { Messages } = await poll;
    assert.equal(Messages?.[0]?.Body, 'again');
    assert.equal(Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
  } finally {
    await fx.close();
  }
});
