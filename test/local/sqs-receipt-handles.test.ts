/**
 * Stale receipt handles (issue 13, "AWS fidelity, round 2"). A receipt handle belongs to one
 * receive of a message. Consumer A's lease ends, B receives the message: A's handle must not
 * delete the message B is working on, nor move B's lease.
 *
 * Each lease is ended with ChangeMessageVisibility(0) or a receive with VisibilityTimeout 0,
 * never by waiting, so no case depends on timing. The AWS rules, by page:
 *
 * - [DeleteMessage] "DeleteMessage - Amazon Simple Queue Service" (SQS API reference): the
 *   ReceiptHandle is associated with a specific instance of receiving a message; you must
 *   provide the most recently received one (otherwise the request succeeds, but the message
 *   will not be deleted).
 * - [KC] "How do I troubleshoot ReceiptHandleIsInvalid and InvalidParameterValue errors when I
 *   use the Amazon SQS DeleteMessage API call?" (AWS knowledge center, sqs-receipt-handle-error):
 *   on a FIFO queue a receipt handle expires after its visibility timeout; DeleteMessage with it
 *   fails with InvalidParameterValue "... Reason: The receipt handle has expired."; on a
 *   standard queue an older handle may succeed.
 * - [CMV] "ChangeMessageVisibility - Amazon Simple Queue Service" (SQS API reference): after
 *   the visibility timeout, "any attempt to change the visibility timeout or to delete that
 *   message ... might result in an error"; errors MessageNotInflight ("The specified message
 *   isn't in flight") and ReceiptHandleIsInvalid. The error AWS answers for a handle of an
 *   earlier receive is not on the page; its text as AWS sends it ("Value <handle> for parameter
 *   ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility
 *   timeout change.", InvalidParameterValue) is quoted in mapbox/ecs-watchbot#135.
 * - [VT] "Amazon SQS visibility timeout" (SQS developer guide): a received message stays in
 *   flight, hidden from other consumers, until it is deleted or its visibility timeout ends.
 *
 * moto_server (5.2.1) keeps every handle a message ever had and honours all of them: an old
 * handle deletes the message and changes its visibility on both queue types, and a FIFO handle
 * never expires. The cases where it differs from AWS run on the engine only (`moto: false`).
 */
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { errorNamed, scenario, sqsTargets, type SqsTarget } from './support/sqs-targets.ts';

sqsTargets();

/**
 * One message, received by consumer A, whose lease A then ends (visibility 0), and received
 * again by consumer B: A's receive and B's, B's holding the message now.
 */
async function takenOverFromA(t: SqsTarget, url: string): Promise<{ a: Message; b: Message | undefined }> {
  const [a] = await t.receive(url);
  await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle!, VisibilityTimeout: 0 }));
  const [b] = await t.receive(url);
  return { a: a!, b };
}

// ---- standard queues ----------------------------------------------------------------------

// [DeleteMessage] "otherwise, the request succeeds, but the message will not be deleted".
// moto differs: its DeleteMessage deletes the message with any handle it ever had.
scenario('standard queue: DeleteMessage with the handle of an earlier receive succeeds but leaves the message to its new holder', { moto: false }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'job');
  const { a, b } = await takenOverFromA(t, url);
  assert.equal(b?.MessageId, a!.MessageId);

  await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle! })); // succeeds

  const counts = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
  assert.equal(counts['ApproximateNumberOfMessagesNotVisible'], '1', 'the message is still there, in flight with B');
  await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b!.ReceiptHandle!, VisibilityTimeout: 600 })); // B still holds it
});

// [DeleteMessage] the most recently received handle is the one that deletes; [KC] standard
// queues accept a handle after its visibility timeout. moto agrees.
scenario('standard queue: the latest receipt handle deletes the message even after its visibility timeout ran out', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'job');
  const [m] = await t.receive(url, 1, 0); // visibility timeout 0: the lease is over at once
  await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }));
  assert.deepEqual(await t.receive(url), []);
});

// [CMV] a handle of an earlier receive is refused (InvalidParameterValue, text as in
// mapbox/ecs-watchbot#135), and [VT] B's message stays hidden: A cannot release B's lease.
// moto differs: it applies the change to the message whatever handle names it.
scenario('standard queue: ChangeMessageVisibility with the handle of an earlier receive fails and does not release the new holder\'s lease', { moto: false }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'job');
  const { a, b } = await takenOverFromA(t, url);
  assert.ok(b);

  await assert.rejects(
    t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle!, VisibilityTimeout: 0 })),
    errorNamed('InvalidParameterValue', /not available for visibility timeout change/),
  );
  assert.deepEqual(await t.receive(url), [], 'B\'s lease still hides the message');
});

// [CMV] "The specified message isn't in flight": the latest handle, once its lease is over and
// before anyone receives the message again. moto differs: it changes the visibility of a
// message that is not in flight.
scenario('ChangeMessageVisibility with the latest handle after its lease ran out fails with MessageNotInflight', { moto: false }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'job');
  const [m] = await t.receive(url, 1, 0);
  await assert.rejects(
    t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 30 })),
    errorNamed('MessageNotInflight'),
  );
});

// ---- FIFO queues ----------------------------------------------------------------------------

// [KC] FIFO: the handle expired with A's visibility timeout: InvalidParameterValue "The receipt
// handle has expired", and the message stays with B. moto differs: it deletes the message.
scenario('FIFO queue: DeleteMessage with the handle of an earlier receive fails as expired and leaves the message to its new holder', { moto: false }, async (t) => {
  const url = await t.queue({ fifo: true });
  await t.send(url, 'job', 'g');
  const { a, b } = await takenOverFromA(t, url);
  assert.equal(b?.MessageId, a!.MessageId);

  await assert.rejects(
    t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle! })),
    errorNamed('InvalidParameterValue', /The receipt handle has expired/),
  );
  await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b!.ReceiptHandle!, VisibilityTimeout: 600 })); // B still holds it
});

// [KC] "If you try to delete the message outside of the visibility timeout period" it fails as
// expired (aws/aws-sdk-js#1279: on a FIFO queue a message received with VisibilityTimeout 0
// cannot be deleted), so the message is received again. moto differs: it deletes the message.
scenario('FIFO queue: DeleteMessage with the latest handle after its visibility timeout ran out fails as expired, and the message is received again', { moto: false }, async (t) => {
  const url = await t.queue({ fifo: true });
  await t.send(url, 'job', 'g');
  const [m] = await t.receive(url, 1, 0);
  await assert.rejects(
    t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! })),
    errorNamed('InvalidParameterValue', /The receipt handle has expired/),
  );
  const [again] = await t.receive(url);
  assert.deepEqual([again?.MessageId, again?.Attributes?.['ApproximateReceiveCount']], [m!.MessageId, '2']);
});

// [CMV] + [KC]: on a FIFO queue A's handle expired with its lease; it must not release B's.
// moto differs: it applies the change to the message whatever handle names it.
scenario('FIFO queue: ChangeMessageVisibility with the handle of an earlier receive fails and does not release the new holder\'s lease', { moto: false }, async (t) => {
  const url = await t.queue({ fifo: true });
  await t.send(url, 'job', 'g');
  const { a, b } = await takenOverFromA(t, url);
  assert.ok(b);

  await assert.rejects(
    t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: a!.ReceiptHandle!, VisibilityTimeout: 0 })),
    errorNamed('InvalidParameterValue'),
  );
  assert.deepEqual(await t.receive(url), [], 'B\'s lease still hides the message');
});
