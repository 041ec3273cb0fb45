/**
 * FIFO message-group lock (issue 13, "AWS fidelity, round 2"): while any message of a group is
 * in flight, no message of that group is returned, even one at the head of the group that is
 * visible again because its own lease ran out. Leases are ended with ChangeMessageVisibility(0),
 * never by waiting. The AWS rules, by page:
 *
 * - [FIFO] "FIFO queue delivery logic in Amazon SQS" (SQS developer guide), Receiving messages:
 *   one ReceiveMessage can return several messages of a group (MaxNumberOfMessages), but later
 *   requests get no more messages of that group unless the messages received are deleted or
 *   become visible again; messages of a group are returned in order.
 * - [Receive] "ReceiveMessage - Amazon Simple Queue Service" (SQS API reference),
 *   ReceiveRequestAttemptId: while messages with a particular MessageGroupId are invisible, no
 *   more messages of that MessageGroupId are returned until the visibility timeout expires;
 *   messages with another MessageGroupId can still be received as long as they are visible.
 * - [KC] "Why doesn't my Amazon SQS FIFO queue return all messages or messages in other message
 *   groups?" (AWS knowledge center, sqs-fifo-messages-not-returned): in-flight messages block
 *   delivery of available messages within the same message group.
 *
 * moto_server agrees on every case here, so each runs against it too.
 */
import assert from 'node:assert/strict';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { scenario, sqsTargets, type SqsTarget } from './support/sqs-targets.ts';

sqsTargets();

const bodies = (messages: Message[]): string[] => messages.map((m) => m.Body!);

/** A FIFO queue holding g1, g2, g3 of group g, with g1 and g2 received in one call (in flight). */
async function twoOfGroupInFlight(t: SqsTarget): Promise<{ url: string; g1: Message; g2: Message }> {
  const url = await t.queue({ fifo: true });
  for (const body of ['g1', 'g2', 'g3']) await t.send(url, body, 'g');
  const [g1, g2] = await t.receive(url, 2);
  assert.deepEqual(bodies([g1!, g2!]), ['g1', 'g2']);
  return { url, g1: g1!, g2: g2! };
}

const release = (t: SqsTarget, url: string, m: Message): Promise<unknown> =>
  t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));

// [FIFO], [Receive], [KC]: g2 in flight blocks the whole group, g1 included.
scenario('FIFO queue: a message whose lease ran out is not returned while a later message of its group is in flight', { moto: true }, async (t) => {
  const { url, g1 } = await twoOfGroupInFlight(t);
  await release(t, url, g1);
  assert.deepEqual(bodies(await t.receive(url)), []);
});

// [Receive]: "You can still receive messages with another MessageGroupId ... as long as they
// are visible."
scenario('FIFO queue: while one group is held by an in-flight message, another group\'s messages are returned', { moto: true }, async (t) => {
  const { url, g1 } = await twoOfGroupInFlight(t);
  await t.send(url, 'h1', 'h');
  await release(t, url, g1);
  assert.deepEqual(bodies(await t.receive(url)), ['h1']);
});

// [FIFO]: the group is free again once the messages received are deleted; it resumes in order,
// from the message whose lease ran out.
scenario('FIFO queue: once the in-flight message of the group is deleted, the group resumes in order from the message whose lease ran out', { moto: true }, async (t) => {
  const { url, g1, g2 } = await twoOfGroupInFlight(t);
  await release(t, url, g1);
  await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: g2.ReceiptHandle! }));
  const next = await t.receive(url);
  assert.deepEqual(next.map((m) => [m.Body, m.Attributes!['ApproximateReceiveCount']]), [['g1', '2'], ['g3', '1']]);
});

// [FIFO]: "... or they become visible again": with both leases over, the group is returned
// again from its head, in order.
scenario('FIFO queue: once every received message of the group is visible again, the group is returned from its head in order', { moto: true }, async (t) => {
  const { url, g1, g2 } = await twoOfGroupInFlight(t);
  await release(t, url, g2);
  await release(t, url, g1);
  assert.deepEqual(bodies(await t.receive(url)), ['g1', 'g2', 'g3']);
});

// [FIFO], [KC]: deleting only some of the messages received does not free the group.
scenario('FIFO queue: after the first received message is deleted, the group stays held while the second is in flight', { moto: true }, async (t) => {
  const { url, g1 } = await twoOfGroupInFlight(t);
  await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: g1.ReceiptHandle! }));
  assert.deepEqual(bodies(await t.receive(url)), []);
});
