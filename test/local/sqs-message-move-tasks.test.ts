/**
 * Message move tasks (issue 13, "AWS fidelity, round 2") over the wire with the AWS SDK v3,
 * against the engine on a hand-moved clock (a task with a rate moves a second's worth of
 * messages per second of the engine's clock, so no case waits on wall time). The rules, by page
 * of the SQS API reference:
 *
 * - [Start] "StartMessageMoveTask - Amazon Simple Queue Service"
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html):
 *   the source must be a dead-letter queue of other SQS queues; without DestinationArn "the
 *   messages will be redriven back to their respective original source queues";
 *   MaxNumberOfMessagesPerSecond is the rate, "The maximum value for messages per second is
 *   500"; "Only one active message movement task is supported per queue at any given time".
 * - [List] "ListMessageMoveTasks - Amazon Simple Queue Service" and
 *   "ListMessageMoveTasksResultEntry": most recent tasks first, MaxResults 1 by default and at
 *   most 10; TaskHandle only for RUNNING tasks; DestinationArn and MaxNumberOfMessagesPerSecond
 *   only when given at the start.
 * - [Cancel] "CancelMessageMoveTask - Amazon Simple Queue Service": only a RUNNING task can be
 *   cancelled; messages already moved stay moved; answers ApproximateNumberOfMessagesMoved.
 * - Error codes and texts, and the task handle (base64 of {"taskId", "sourceArn"}), as recorded
 *   from AWS in localstack/localstack tests/aws/services/sqs/test_sqs_move_task.snapshot.json;
 *   ResourceNotFoundException is HTTP 404 in the SQS service model.
 *
 * moto_server 5.2.1 does not implement the move-task actions, so these cases run on the engine only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { engineOnVirtualClock } from './support/virtual-clock-engine.ts';
import { errorNamed } from './support/sqs-targets.ts';

const { clock, sqs } = engineOnVirtualClock();

let n = 0;
interface Queue { url: string; arn: string }

async function queue(attributes: Record<string, string> = {}): Promise<Queue> {
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `move-${++n}`, Attributes: attributes }));
  const arn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
  return { url: QueueUrl!, arn };
}

async function receive(q: Queue, visibilityTimeout?: number): Promise<Message[]> {
  const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...(visibilityTimeout !== undefined && { VisibilityTimeout: visibilityTimeout }) }));
  return Messages ?? [];
}

/** A queue whose dead-letter queue holds `bodies` (each received once, then dead-lettered). */
async function deadLettered(bodies: string[], dlq?: Queue): Promise<{ source: Queue; dlq: Queue }> {
  dlq ??= await queue();
  const source = await queue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
  for (const body of bodies) await sqs().send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
  assert.equal((await receive(source, 0)).length, bodies.length);
  assert.deepEqual(await receive(source, 0), [], 'the second receive moved them to the DLQ');
  return { source, dlq };
}

const start = (input: { SourceArn: string; DestinationArn?: string; MaxNumberOfMessagesPerSecond?: number }) =>
  sqs().send(new StartMessageMoveTaskCommand(input));
const latest = async (sourceArn: string) => (await sqs().send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }))).Results?.[0];
const bodies = (messages: Message[]): string[] => messages.map((m) => m.Body!).sort();

// [Start] + AWS's recorded handle: base64 of a JSON document with the task id and the source ARN.
test('StartMessageMoveTask answers a task handle that is base64 JSON of the task id and the source queue ARN', async () => {
  const { dlq } = await deadLettered(['a']);
  const { TaskHandle } = await start({ SourceArn: dlq.arn });
  const decoded = JSON.parse(Buffer.from(TaskHandle!, 'base64').toString('utf8')) as { taskId: string; sourceArn: string };
  assert.match(decoded.taskId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(decoded.sourceArn, dlq.arn);
});

// [Start]: without DestinationArn each message goes back to the queue it was dead-lettered from.
test('without DestinationArn, dead letters from two queues go back each to its own source queue, with a fresh receive count', async () => {
  const { source: one, dlq } = await deadLettered(['from one']);
  const { source: two } = await deadLettered(['from two'], dlq);
  await start({ SourceArn: dlq.arn });
  const [a] = await receive(one);
  const [b] = await receive(two);
  assert.deepEqual([a?.Body, a?.Attributes?.['ApproximateReceiveCount']], ['from one', '1']);
  assert.deepEqual([b?.Body, b?.Attributes?.['ApproximateReceiveCount']], ['from two', '1']);
  assert.deepEqual(await receive(dlq), []);
});

// [List]: a finished task is COMPLETED, without TaskHandle, DestinationArn or rate (none given).
test('ListMessageMoveTasks shows a finished task as COMPLETED with its counts and without a task handle', async () => {
  const { dlq } = await deadLettered(['a', 'b']);
  await start({ SourceArn: dlq.arn });
  const task = await latest(dlq.arn);
  assert.deepEqual({ ...task, StartedTimestamp: undefined }, {
    Status: 'COMPLETED', SourceArn: dlq.arn, ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 2, StartedTimestamp: undefined,
  });
  assert.equal(task?.StartedTimestamp, clock.now());
});

// [Start]: the source must be a dead-letter queue (AWS: "Source queue must be configured as a
// Dead Letter Queue.").
test('StartMessageMoveTask from a queue that is no queue\'s dead-letter queue fails with InvalidParameterValue', async () => {
  const plain = await queue();
  const other = await queue();
  await assert.rejects(start({ SourceArn: plain.arn, DestinationArn: other.arn }), errorNamed('InvalidParameterValue', /must be configured as a Dead Letter Queue/));
});

// [Start], Errors: ResourceNotFoundException (HTTP 404) for a destination that does not exist.
test('StartMessageMoveTask to a destination that does not exist fails with ResourceNotFoundException (HTTP 404)', async () => {
  const { dlq } = await deadLettered(['a']);
  await assert.rejects(start({ SourceArn: dlq.arn, DestinationArn: `${dlq.arn}-missing` }), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.equal(error.$metadata?.httpStatusCode, 404);
    return true;
  });
});

// [Start]: "The maximum value for messages per second is 500."
test('StartMessageMoveTask with MaxNumberOfMessagesPerSecond outside 1–500 fails with InvalidParameterValue', async () => {
  const { dlq } = await deadLettered(['a']);
  await assert.rejects(start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 0 }), errorNamed('InvalidParameterValue'));
  await assert.rejects(start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 501 }), errorNamed('InvalidParameterValue'));
});

// [Start] MaxNumberOfMessagesPerSecond: a fixed movement rate; [List]: a RUNNING task has its
// handle and its rate.
test('a task with MaxNumberOfMessagesPerSecond 1 moves one message per second of the engine clock and runs until all are moved', async () => {
  const { source, dlq } = await deadLettered(['a', 'b', 'c']);
  const { TaskHandle } = await start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 });
  const running = await latest(dlq.arn);
  assert.deepEqual([running?.Status, running?.TaskHandle, running?.MaxNumberOfMessagesPerSecond, running?.ApproximateNumberOfMessagesMoved], ['RUNNING', TaskHandle, 1, 1]);
  await clock.advance(1000);
  assert.equal((await latest(dlq.arn))?.ApproximateNumberOfMessagesMoved, 2);
  await clock.advance(1000);
  const done = await latest(dlq.arn);
  assert.deepEqual([done?.Status, done?.ApproximateNumberOfMessagesMoved, done?.TaskHandle], ['COMPLETED', 3, undefined]);
  assert.deepEqual(bodies(await receive(source)), ['a', 'b', 'c']);
});

// [Start]: one active task per source queue (AWS: "There is already a task running. Only one
// active task is allowed for a source queue arn at a given time.").
test('a second StartMessageMoveTask on a source with a running task fails with InvalidParameterValue', async () => {
  const { dlq } = await deadLettered(['a', 'b']);
  const { TaskHandle } = await start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 });
  await assert.rejects(start({ SourceArn: dlq.arn }), errorNamed('InvalidParameterValue', /already a task running/));
  await sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle }));
});

// [Cancel]: stops the task; what was moved stays moved, the rest stays in the DLQ.
test('CancelMessageMoveTask stops a running task: it answers the count moved, the task is CANCELLED and the rest stay in the DLQ', async () => {
  const { source, dlq } = await deadLettered(['a', 'b', 'c']);
  const { TaskHandle } = await start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 });
  const cancelled = await sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle }));
  assert.equal(cancelled.ApproximateNumberOfMessagesMoved, 1);
  await clock.advance(5000);
  const task = await latest(dlq.arn);
  assert.deepEqual([task?.Status, task?.ApproximateNumberOfMessagesMoved, task?.TaskHandle], ['CANCELLED', 1, undefined]);
  assert.equal((await receive(source)).length, 1);
  assert.equal((await receive(dlq)).length, 2);
});

// [Cancel]: only a RUNNING task can be cancelled.
test('CancelMessageMoveTask of a completed task fails with InvalidParameterValue', async () => {
  const { dlq } = await deadLettered(['a']);
  const { TaskHandle } = await start({ SourceArn: dlq.arn });
  await assert.rejects(sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle })), errorNamed('InvalidParameterValue'));
});

// AWS's recorded errors: a handle that does not decode is InvalidParameterValue ("Value for
// parameter TaskHandle is invalid."); one naming no task of an existing queue is
// ResourceNotFoundException ("Task does not exist.").
test('CancelMessageMoveTask with a malformed handle fails with InvalidParameterValue, with an unknown task id with ResourceNotFoundException', async () => {
  const { dlq } = await deadLettered(['a']);
  await assert.rejects(sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle: 'foobared' })), errorNamed('InvalidParameterValue', /TaskHandle is invalid/));
  const unknown = Buffer.from(JSON.stringify({ taskId: '10f57157-fc38-4da9-a113-4de7e12d05aa', sourceArn: dlq.arn })).toString('base64');
  await assert.rejects(sqs().send(new CancelMessageMoveTaskCommand({ TaskHandle: unknown })), errorNamed('ResourceNotFoundException', /Task does not exist/));
});

// [List]: the most recent task by default; MaxResults up to 10, newest first.
test('ListMessageMoveTasks answers the most recent task by default and, with MaxResults, the most recent ones newest first', async () => {
  const { source, dlq } = await deadLettered(['a']);
  await start({ SourceArn: dlq.arn });
  for (const body of ['b', 'c']) {
    await sqs().send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
    await receive(source, 0);
    await receive(source, 0);
    await start({ SourceArn: dlq.arn, DestinationArn: source.arn });
  }
  const { Results: one } = await sqs().send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
  assert.equal(one?.length, 1);
  assert.equal(one?.[0]?.DestinationArn, source.arn);
  const { Results: all } = await sqs().send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }));
  assert.deepEqual(all?.map((t) => t.DestinationArn), [source.arn, source.arn, undefined]);
  await assert.rejects(sqs().send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 11 })), errorNamed('InvalidParameterValue'));
});
