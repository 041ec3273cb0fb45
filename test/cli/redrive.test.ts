/**
 * redrive() on the engine's wire endpoint, with a subscription described by hand: one-by-one
 * redrive into a FIFO queue (an ordered subscription), and the rate it accepts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { localClients } from '../../lib/cli/aws-clients.ts';
import { redrive, RedriveError } from '../../lib/cli/redrive.ts';
import type { TargetSubscription } from '../../lib/cli/flow-target.ts';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';

let fixture: EngineFixture;
let sub: TargetSubscription;

before(async () => {
  fixture = await startEngine();
  const dlq = fixture.engine.createQueue('ordered-dlq.fifo', { FifoQueue: 'true' });
  const queue = fixture.engine.createQueue('ordered.fifo', {
    FifoQueue: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
  });
  sub = {
    name: 'ordered', flow: 'f', busName: 'b',
    manifest: { name: 'ordered', constructPath: 'x', topics: ['t'], delivery: 'ordered', eventPattern: {}, publishes: [], retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 1 }, dedupe: false, resources: { rule: 'R', function: 'F', dlq: 'D', queue: 'Q' } },
    queue: { name: queue.name, arn: queue.arn, url: queue.url },
    dlq: { name: dlq.name, arn: dlq.arn, url: dlq.url },
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
  assert.deepEqual(result, { how: 'one-by-one', redriven: 1, skipped: [] });

  const out = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: sub.queue!.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
  const [back, ...more] = out.Messages ?? [];
  assert.equal(more.length, 0);
  assert.equal(back!.Attributes?.MessageGroupId, 'c-7');
  const body = JSON.parse(back!.Body!) as { id: string; 'busline-redrive': { kind: string; reason: string }[] };
  assert.equal(body.id, 'eb-1');
  assert.deepEqual(body['busline-redrive'].map((h) => [h.kind, h.reason]), [['runtime', 'non-retryable']]);
});

// MaxNumberOfMessagesPerSecond: "The maximum value for messages per second is 500",
// "StartMessageMoveTask", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
test("a rate above SQS's 500 messages a second, or not above 0, is refused before anything moves", async () => {
  const clients = localClients(fixture.engine.endpoint, fixture.engine.region);
  for (const rate of [501, 0, -1, Number.NaN]) {
    await assert.rejects(redrive(clients, sub, { rate }), (error: Error) => error instanceof RedriveError && /--rate/.test(error.message), String(rate));
  }
});
