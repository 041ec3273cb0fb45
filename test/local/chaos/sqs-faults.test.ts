/**
 * The chaos mode's SQS faults on standard queues: duplicate deliveries, delays and reordering,
 * each journaled as a chaos.fault with its queue and message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { VirtualClock } from '../../../lib/testing/virtual-clock.ts';
import { startEngine } from '../support/engine-fixture.ts';
import { CLOCK_START } from '../support/virtual-clock-engine.ts';
import { faultsOf } from './support.ts';

async function receiveAll(sqs: SQSClient, QueueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }))).Messages ?? [];
    if (got.length === 0) return all;
    all.push(...got);
  }
}

test('duplicate: a deleted message comes back once as a copy with the same body, and the fault names the queue and message', async () => {
  // "the copy of the message isn't deleted on the server that is unavailable, and you might get
  // that message copy again when you receive messages" (Amazon SQS Developer Guide, "Amazon SQS
  // at-least-once delivery",
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
  const fx = await startEngine({ chaos: { seed: 1, duplicate: 1 } });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'dup' }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));
    const [first] = await receiveAll(fx.sqs, QueueUrl!);
    await fx.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first!.ReceiptHandle }));
    const again = await receiveAll(fx.sqs, QueueUrl!);
    assert.deepEqual(again.map((m) => m.Body), ['once']);
    assert.notEqual(again[0]!.MessageId, first!.MessageId);
    const [fault, ...more] = await faultsOf(fx.engine, 'duplicate');
    assert.deepEqual(more, []);
    assert.equal(fault?.queue, 'dup');
    assert.equal(fault?.messageId, first!.MessageId);
    assert.match(fault?.detail ?? '', new RegExp(`delivered again as message ${again[0]!.MessageId}`));
    assert.equal(fault?.seed, 1);
  } finally {
    await fx.close();
  }
});

test('duplicate: the copy is not copied again, so even duplicate=1 delivers a message twice and no more', async () => {
  const fx = await startEngine({ chaos: { seed: 1, duplicate: 1 } });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'dup-once' }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));
    const deliveries: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const m of await receiveAll(fx.sqs, QueueUrl!)) {
        deliveries.push(m.Body!);
        await fx.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    assert.deepEqual(deliveries, ['once', 'once']);
    assert.equal((await faultsOf(fx.engine, 'duplicate')).length, 1);
  } finally {
    await fx.close();
  }
});

test('duplicate: a FIFO queue is left alone (its exactly-once processing is its point)', async () => {
  const fx = await startEngine({ chaos: { seed: 1, duplicate: 1 } });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'dup.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }));
    await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once', MessageGroupId: 'g' }));
    const [first] = await receiveAll(fx.sqs, QueueUrl!);
    await fx.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first!.ReceiptHandle }));
    assert.deepEqual(await receiveAll(fx.sqs, QueueUrl!), []);
    assert.deepEqual(await faultsOf(fx.engine), []);
  } finally {
    await fx.close();
  }
});

test('delay: a message sent becomes visible only once the engine clock has passed the profile delay', async () => {
  const clock = new VirtualClock(CLOCK_START);
  const fx = await startEngine({ clock, chaos: { seed: 1, delay: 1, delayMs: 5000 } });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'slow' }));
    const { MessageId } = await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
    assert.deepEqual(await receiveAll(fx.sqs, QueueUrl!), []);
    await clock.advance(4999);
    assert.deepEqual(await receiveAll(fx.sqs, QueueUrl!), []);
    await clock.advance(1);
    assert.deepEqual((await receiveAll(fx.sqs, QueueUrl!)).map((m) => m.Body), ['late']);
    const faults = await faultsOf(fx.engine, 'delay');
    assert.deepEqual(faults.map((f) => [f.queue, f.messageId, f.detail]), [['slow', MessageId, 'held back 5000 ms before it became visible']]);
  } finally {
    await fx.close();
  }
});

test('reorder: receives deliver messages out of their send order, and each fault names a message that was overtaken', async () => {
  // Standard queues: "best-effort ordering … messages might be delivered in an order different
  // from which they were sent" (Amazon SQS Developer Guide, "Amazon SQS standard queues",
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html).
  const fx = await startEngine({ chaos: { seed: 7, reorder: 0.3 } });
  try {
    const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'shuffled' }));
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) sent.push((await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }))).MessageId!);
    const received: string[] = [];
    for (;;) {
      const got = (await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3, WaitTimeSeconds: 0, VisibilityTimeout: 300 }))).Messages ?? [];
      if (got.length === 0) break;
      received.push(...got.map((m) => m.MessageId!));
    }
    assert.deepEqual([...received].sort(), [...sent].sort(), 'every message is delivered');
    assert.notDeepEqual(received, sent);
    const faults = await faultsOf(fx.engine, 'reorder');
    assert.ok(faults.length > 0);
    for (const fault of faults) {
      const by = /message (\S+), behind it/.exec(fault.detail)?.[1];
      assert.ok(by && received.includes(by), fault.detail);
      assert.ok(received.indexOf(by!) < received.indexOf(fault.messageId!), 'the message behind it was received first');
    }
  } finally {
    await fx.close();
  }
});

test('the same seed injects the same faults: two runs of the same sends journal the same fault sequence', async () => {
  const run = async (): Promise<string[]> => {
    const fx = await startEngine({ chaos: { seed: 42, reorder: 0.3, delay: 0.3, delayMs: 0 } });
    try {
      const { QueueUrl } = await fx.sqs.send(new CreateQueueCommand({ QueueName: 'same' }));
      const index = new Map<string, number>();
      for (let i = 0; i < 12; i++) index.set((await fx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }))).MessageId!, i);
      await receiveAll(fx.sqs, QueueUrl!);
      // Message ids differ between runs: compare by send position.
      return (await faultsOf(fx.engine)).map((f) => `${f.fault}:${index.get(f.messageId!)}`);
    } finally {
      await fx.close();
    }
  };
  const first = await run();
  assert.ok(first.length > 0);
  assert.deepEqual(await run(), first);
});
