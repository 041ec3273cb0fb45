/**
 * redrive() on the engine's wire endpoint, with a subscription described by hand: one-by-one
 * redrive into a FIFO queue (an ordered subscription) from its FIFO DLQ and from its standard
 * delivery DLQ, and the rate it accepts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { localClients } from '../../lib/cli/aws-clients.ts';
import { redrive, redriveMessage, RedriveError } from '../../lib/cli/redrive.ts';
import type { TargetSubscription } from '../../lib/cli/flow-target.ts';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';

let fixture: EngineFixture;
let sub: TargetSubscription;

before(async () => {
  fixture = await startEngine();
  const dlq = fixture.engine.createQueue('ordered-dlq.fifo', { FifoQueue: 'true' });
  const deliveryDlq = fixture.engine.createQueue('ordered-delivery-dlq', {});
  const queue = fixture.engine.createQueue('ordered.fifo', {
    FifoQueue: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
  });
  sub = {
    name: 'ordered', flow: 'f', busName: 'b',
    manifest: { name: 'ordered', constructPath: 'x', topics: ['t'], delivery: 'ordered', messageGroupPath: 'customer.id', eventPattern: {}, publishes: [], retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 1 }, dedupe: false, resources: { rule: 'R', function: 'F', dlq: 'D', deliveryDlq: 'DD', queue: 'Q' } },
    queue: { name: queue.name, arn: queue.arn, url: queue.url },
    dlq: { name: dlq.name, arn: dlq.arn, url: dlq.url },
    deliveryDlq: { name: deliveryDlq.name, arn: deliveryDlq.arn, url: deliveryDlq.url },
  };
});
after(async () => {
  await fixture?.close();
});

// Each event goes back in its own message group, with a deduplication id of its own (SQS drops
// a message whose deduplication id it saw in the last 5 minutes: "Exactly-once processing in
// Amazon SQS", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html).
test('a FIFO dead letter goes back to the FIFO queue in its own message group, with its history', async () => {
  const event = { version: '0', id: 'eb-1', 'detail-type': 't', source: 's', detail: { metadata: { id: 'm-1' }, data: { customerId: 'c-7' } } };
  await fixture.sqs.send(new SendMessageCommand({
    QueueUrl: sub.dlq!.url, MessageBody: JSON.stringify(event), MessageGroupId: 'c-7', MessageDeduplicationId: 'eb-1',
    MessageAttributes: { 'busline.reason': { DataType: 'String', StringValue: 'non-retryable' } },
  }));
  const clients = localClients(fixture.engine.endpoint, fixture.engine.region);
  const result = await redrive(clients, sub, { oneByOne: true, rate: 100 });
  assert.deepEqual(result, { redriven: 1, skipped: [] });

  const out = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: sub.queue!.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
  const [back, ...more] = out.Messages ?? [];
  assert.equal(more.length, 0);
  assert.equal(back!.Attributes?.MessageGroupId, 'c-7');
  const body = JSON.parse(back!.Body!) as { id: string; 'busline-redrive': { kind: string; reason: string }[] };
  assert.equal(body.id, 'eb-1');
  assert.deepEqual(body['busline-redrive'].map((h) => [h.kind, h.reason]), [['runtime', 'non-retryable']]);
});

/**
 * A dead letter EventBridge writes when the rule cannot deliver to the FIFO queue: the event as
 * the body, the failure in attributes, on a standard queue ("EventBridge DLQs are standard
 * Amazon SQS queues": "Using dead-letter queues to process undelivered events in EventBridge",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html).
 */
async function deliveryDeadLetter(id: string, customerId: string): Promise<void> {
  const event = { version: '0', id: `eb-${id}`, 'detail-type': 't', source: 's', detail: { metadata: { id }, data: { customer: { id: customerId } } } };
  await fixture.sqs.send(new SendMessageCommand({
    QueueUrl: sub.deliveryDlq!.url, MessageBody: JSON.stringify(event),
    MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'SQSQueueDoesNotExist' }, RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:000000000000:rule/b/ordered' } },
  }));
}

async function receivedFromQueue(): Promise<{ group?: string; body: { id: string; detail: { metadata: { id: string }; data: unknown }; 'busline-redrive': { kind: string }[] } }[]> {
  const out = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: sub.queue!.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
  return (out.Messages ?? []).map((m) => ({ ...(m.Attributes?.MessageGroupId ? { group: m.Attributes.MessageGroupId } : {}), body: JSON.parse(m.Body!) }));
}

// The delivery DLQ is the rule target's, not an SQS queue's: the move task cannot take it
// ("This action is currently limited to supporting message redrive from queues that are
// configured as dead-letter queues (DLQs) of other Amazon SQS queues only", "StartMessageMoveTask",
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
// The message group is the one the rule's target gives it: SqsParameters.MessageGroupId
// `$.detail.data.<messageGroupPath>` ("SqsParameters", EventBridge API Reference,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html).
test("an ordered subscription's delivery dead letter goes back to its FIFO queue in the message group its rule reads from the event, with its history", async () => {
  await deliveryDeadLetter('d-1', 'c-9');
  const clients = localClients(fixture.engine.endpoint, fixture.engine.region);
  const result = await redrive(clients, sub, { oneByOne: true, rate: 100 });
  assert.deepEqual(result, { redriven: 1, skipped: [] });

  const [back, ...more] = await receivedFromQueue();
  assert.equal(more.length, 0);
  assert.equal(back!.group, 'c-9');
  assert.equal(back!.body.id, 'eb-d-1');
  assert.equal(back!.body.detail.metadata.id, 'd-1', 'the dedupe key is kept');
  assert.deepEqual(back!.body['busline-redrive'].map((h) => h.kind), ['rule-target']);
  assert.equal(fixture.engine.peekMessages(sub.deliveryDlq!.name).length, 0);
});

test("one dead letter of an ordered subscription's delivery DLQ is found by its message id and redriven with its edited payload", async () => {
  await deliveryDeadLetter('d-2', 'c-3');
  const [letter] = fixture.engine.peekMessages(sub.deliveryDlq!.name);
  const clients = localClients(fixture.engine.endpoint, fixture.engine.region);
  await redriveMessage(clients, sub, letter!.MessageId, { customer: { id: 'c-4' } });

  const [back, ...more] = await receivedFromQueue();
  assert.equal(more.length, 0);
  assert.equal(back!.group, 'c-4', 'the group of the payload sent back');
  assert.deepEqual(back!.body.detail.data, { customer: { id: 'c-4' } });
  assert.equal(fixture.engine.peekMessages(sub.deliveryDlq!.name).length, 0);
});

// MaxNumberOfMessagesPerSecond: "The maximum value for messages per second is 500",
// "StartMessageMoveTask", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
test("a rate above SQS's 500 messages a second, or not above 0, is refused before anything moves", async () => {
  const clients = localClients(fixture.engine.endpoint, fixture.engine.region);
  for (const rate of [501, 0, -1, Number.NaN]) {
    await assert.rejects(redrive(clients, sub, { rate }), (error: Error) => error instanceof RedriveError && /--rate/.test(error.message), String(rate));
  }
});
