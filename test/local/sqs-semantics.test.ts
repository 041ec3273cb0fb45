/**
 * SQS semantics and validations of issue 13 ("AWS fidelity, round 2") over the wire with the AWS
 * SDK v3, against the engine and, where moto_server agrees with the documented behaviour,
 * against moto_server too. Each case names the page its rule comes from; pages of the SQS API
 * reference are at https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_<Action>.html,
 * those of the developer guide under .../SQSDeveloperGuide/.
 *
 * Where moto_server 5.2.1 differs from AWS (the case runs on the engine only, `moto: false`):
 * - FIFO: after ContentBasedDeduplication is turned on by SetQueueAttributes, moto does not
 *   deduplicate by body (two sends of one body are two messages).
 * - AWSTraceHeader: moto answers no MD5OfMessageSystemAttributes, and accepts a Binary one.
 * - DeduplicationScope messageGroup: moto still deduplicates across groups.
 * - ListDeadLetterSourceQueues: moto ignores MaxResults.
 * - It accepts MessageDeduplicationId on a standard queue, and FIFO-only attributes on one
 *   (FifoQueue "false", ContentBasedDeduplication), also in GetQueueAttributes.
 */
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { md5OfAttributes } from '../../lib/local/sqs/md5.ts';
import { errorNamed, scenario, sqsTargets, type SqsTarget } from './support/sqs-targets.ts';

sqsTargets();

let n = 0;
const uniqueName = (stem: string): string => `sem-${process.pid}-${stem}-${++n}`;
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const traceHeader = (value = TRACE): Record<string, { DataType: string; StringValue: string }> => ({ AWSTraceHeader: { DataType: 'String', StringValue: value } });

async function fifoQueue(t: SqsTarget, attributes: Record<string, string> = {}): Promise<string> {
  const name = `${uniqueName('f')}.fifo`;
  return (await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', VisibilityTimeout: '300', ...attributes } }))).QueueUrl!;
}

// ---- FIFO ------------------------------------------------------------------------------------------

// "FIFO queue delivery logic in Amazon SQS" (developer guide, FIFO-queues-understanding-logic):
// later requests get no more messages of a group "unless the messages received are deleted or
// become visible again"; "ChangeMessageVisibility" with 0 makes the message visible at once, so
// the group is free and resumes from that message, in order.
scenario('FIFO queue: ChangeMessageVisibility 0 on the group\'s in-flight message frees the group, which resumes from that message', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true });
  for (const body of ['g1', 'g2']) await t.send(url, body, 'g');
  const [g1] = await t.receive(url, 1);
  assert.deepEqual(await t.receive(url), [], 'the group is held while g1 is in flight');
  await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: g1!.ReceiptHandle!, VisibilityTimeout: 0 }));
  const next = await t.receive(url);
  assert.deepEqual(next.map((m) => [m.Body, m.Attributes?.['ApproximateReceiveCount']]), [['g1', '2'], ['g2', '1']]);
});

// "SetQueueAttributes": ContentBasedDeduplication can be set on an existing FIFO queue;
// "SendMessage" MessageDeduplicationId: "If the queue has ContentBasedDeduplication set, your
// MessageDeduplicationId overrides the generated one"; without either the send fails.
scenario('FIFO queue: a send without MessageDeduplicationId is refused until SetQueueAttributes turns ContentBasedDeduplication on, then accepted', { moto: true }, async (t) => {
  const url = await fifoQueue(t);
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })), errorNamed('InvalidParameterValue'));
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } }));
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }));
  const { Attributes } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ContentBasedDeduplication'] }));
  assert.equal(Attributes?.['ContentBasedDeduplication'], 'true');
});

// "Exactly-once processing in Amazon SQS" (developer guide, FIFO-queues-exactly-once-processing):
// with content-based deduplication, the SHA-256 of the body is the deduplication ID, and a
// message sent again within the 5-minute interval is accepted but not delivered twice.
// moto differs: it does not deduplicate once the attribute was set later.
scenario('FIFO queue: after ContentBasedDeduplication is turned on later, a body sent twice is one message with one id', { moto: false }, async (t) => {
  const url = await fifoQueue(t);
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } }));
  const one = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
  const two = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
  assert.equal(two.MessageId, one.MessageId);
  assert.equal((await t.receive(url)).length, 1);
});

// "CreateQueue" DeduplicationScope: "Specifies whether message deduplication occurs at the
// message group or queue level"; with messageGroup one deduplication id in two groups is two
// messages, and within one group still one. moto differs: it deduplicates across groups.
scenario('FIFO queue with DeduplicationScope messageGroup deduplicates within a group, not across groups', { moto: false }, async (t) => {
  const url = await fifoQueue(t, { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  const send = (group: string) => t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `to ${group}`, MessageGroupId: group, MessageDeduplicationId: 'd-1' }));
  const a = await send('a');
  const b = await send('b');
  const again = await send('a');
  assert.notEqual(b.MessageId, a.MessageId);
  assert.equal(again.MessageId, a.MessageId);
  assert.deepEqual((await t.receive(url)).map((m) => m.Body).sort(), ['to a', 'to b']);
});

// ---- dead-letter queues --------------------------------------------------------------------------

/** Asserts the CreateQueue is refused as the client's fault (HTTP 400) and creates no queue. */
async function refusedCreate(t: SqsTarget, create: () => Promise<unknown>, name: string): Promise<void> {
  await assert.rejects(create(), (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 400);
  await assert.rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: name })), errorNamed('QueueDoesNotExist'));
}

// "Configure a dead-letter queue using the Amazon SQS console" (developer guide): "You must
// first create the queue before using it as a dead-letter queue". The error code is not
// documented: the engine answers InvalidParameterValue "Value … for parameter RedrivePolicy is
// invalid. Reason: Dead letter target does not exist." (moto: QueueDoesNotExist).
scenario('a RedrivePolicy naming a queue that does not exist is refused and no queue is created', { moto: true }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `${QueueArn}-missing`, maxReceiveCount: 3 });
  const QueueName = uniqueName('src');
  await refusedCreate(t, () => t.sqs.send(new CreateQueueCommand({ QueueName, Attributes: { RedrivePolicy } })), QueueName);
});

// Same page: "the queue type must match the source queue type—a FIFO queue can only use a FIFO
// DLQ, and a standard queue can only use a standard DLQ". Error code undocumented (engine:
// InvalidParameterValue; moto: InvalidParameterCombination).
scenario('a FIFO queue whose RedrivePolicy names a standard queue is refused and not created', { moto: true }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: QueueArn, maxReceiveCount: 3 });
  const QueueName = `${uniqueName('src')}.fifo`;
  await refusedCreate(t, () => t.sqs.send(new CreateQueueCommand({ QueueName, Attributes: { FifoQueue: 'true', RedrivePolicy } })), QueueName);
});

// "ListDeadLetterSourceQueues": "Returns a list of your queues that have the RedrivePolicy queue
// attribute configured with a dead-letter queue" (the response member is queueUrls).
scenario('ListDeadLetterSourceQueues lists the queues whose redrive policy names the dead-letter queue', { moto: true }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: QueueArn, maxReceiveCount: 3 });
  const sources: string[] = [];
  for (const stem of ['src-a', 'src-b']) sources.push((await t.sqs.send(new CreateQueueCommand({ QueueName: uniqueName(stem), Attributes: { RedrivePolicy } }))).QueueUrl!);
  await t.queue({}); // not a source
  const { queueUrls } = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual([...(queueUrls ?? [])].sort(), sources.sort());
});

// "ListDeadLetterSourceQueues": with MaxResults, at most that many and a NextToken while more
// remain. moto differs: it ignores MaxResults.
scenario('ListDeadLetterSourceQueues with MaxResults pages through the source queues with NextToken', { moto: false }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: QueueArn, maxReceiveCount: 3 });
  const sources: string[] = [];
  for (const stem of ['p1', 'p2', 'p3']) sources.push((await t.sqs.send(new CreateQueueCommand({ QueueName: uniqueName(stem), Attributes: { RedrivePolicy } }))).QueueUrl!);
  const first = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 2 }));
  assert.equal(first.queueUrls?.length, 2);
  assert.ok(first.NextToken);
  const second = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 2, NextToken: first.NextToken }));
  assert.equal(second.NextToken, undefined);
  assert.deepEqual([...first.queueUrls!, ...(second.queueUrls ?? [])].sort(), sources.sort());
});

// ---- AWSTraceHeader ---------------------------------------------------------------------------------

// "SendMessage" MessageSystemAttributes: the only supported one is AWSTraceHeader;
// "ReceiveMessage" MessageSystemAttributeNames: AWSTraceHeader "Returns the AWS X-Ray trace
// header string".
scenario('AWSTraceHeader sent as a message system attribute is returned by ReceiveMessage when asked for', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'traced', MessageSystemAttributes: traceHeader() }));
  const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['AWSTraceHeader'] }));
  assert.equal(Messages?.[0]?.Attributes?.['AWSTraceHeader'], TRACE);
});

// "ReceiveMessage": only the system attributes named in MessageSystemAttributeNames are returned.
scenario('AWSTraceHeader is not returned by a ReceiveMessage that does not ask for it', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'traced', MessageSystemAttributes: traceHeader() }));
  const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['SentTimestamp'] }));
  assert.equal(Messages?.[0]?.Attributes?.['AWSTraceHeader'], undefined);
  assert.ok(Messages?.[0]?.Attributes?.['SentTimestamp']);
});

// "SendMessage" response: MD5OfMessageSystemAttributes, "An MD5 digest of the non-URL-encoded
// message system attribute string", computed as for message attributes ("Amazon SQS message
// metadata" / "Calculating the MD5 message digest for message attributes", developer guide).
// moto differs: it answers no MD5OfMessageSystemAttributes.
scenario('SendMessage with AWSTraceHeader answers MD5OfMessageSystemAttributes, the attribute digest of it', { moto: false }, async (t) => {
  const url = await t.queue({});
  const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'traced', MessageSystemAttributes: traceHeader() }));
  assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes(traceHeader()));
});

// "SendMessageBatchRequestEntry" MessageSystemAttributes and "SendMessageBatchResultEntry"
// MD5OfMessageSystemAttributes. moto differs: no MD5OfMessageSystemAttributes.
scenario('SendMessageBatch carries each entry\'s AWSTraceHeader and answers its MD5OfMessageSystemAttributes', { moto: false }, async (t) => {
  const url = await t.queue({});
  const other = 'Root=1-5759e988-bd862e3fe1be46a994272794';
  const sent = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [
    { Id: 'a', MessageBody: 'one', MessageSystemAttributes: traceHeader() },
    { Id: 'b', MessageBody: 'two', MessageSystemAttributes: traceHeader(other) },
  ] }));
  assert.deepEqual(sent.Successful?.map((e) => [e.Id, e.MD5OfMessageSystemAttributes]), [['a', md5OfAttributes(traceHeader())], ['b', md5OfAttributes(traceHeader(other))]]);
  const received = await t.receive(url);
  assert.deepEqual(received.map((m) => [m.Body, m.Attributes?.['AWSTraceHeader']]).sort(), [['one', TRACE], ['two', other]]);
});

// "SendMessage" MessageSystemAttributes: AWSTraceHeader's "type must be String".
// moto differs: it accepts a Binary one.
scenario('an AWSTraceHeader that is not of type String is refused with InvalidParameterValue', { moto: false }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(
    t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'Binary', BinaryValue: Buffer.from(TRACE) } } })),
    errorNamed('InvalidParameterValue'),
  );
});

// "SendMessage" MessageSystemAttributes: "The size of a message system attribute doesn't count
// towards the total size of a message."
scenario('AWSTraceHeader does not count towards the message size limit', { moto: true }, async (t) => {
  const url = (await t.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('small'), Attributes: { MaximumMessageSize: '1024' } }))).QueueUrl!;
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1024), MessageSystemAttributes: traceHeader() }));
  assert.equal((await t.receive(url)).length, 1);
});

// ---- standard queues and FIFO-only parameters -----------------------------------------------------

// "SendMessage" MessageDeduplicationId: "This parameter applies only to FIFO (first-in-first-out)
// queues"; AWS refuses it on a standard queue ("Value … for parameter MessageDeduplicationId is
// invalid. Reason: The request include parameter that is not valid for this queue type.").
// moto differs: it accepts it.
scenario('a standard queue refuses MessageDeduplicationId with InvalidParameterValue', { moto: false }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(
    t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd-1' })),
    errorNamed('InvalidParameterValue', /not valid for this queue type/),
  );
});

// "CreateQueue": ContentBasedDeduplication is one of the attributes that "apply only to FIFO
// (first-in-first-out) queues"; AWS answers InvalidAttributeName ("Unknown Attribute
// ContentBasedDeduplication."). moto differs: it creates the queue.
scenario('CreateQueue of a standard queue with ContentBasedDeduplication fails with InvalidAttributeName', { moto: false }, async (t) => {
  await assert.rejects(
    t.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('std'), Attributes: { ContentBasedDeduplication: 'true' } })),
    errorNamed('InvalidAttributeName', /ContentBasedDeduplication/),
  );
});

// "CreateQueue" FifoQueue: "If you don't specify the FifoQueue attribute, Amazon SQS creates a
// standard queue"; AWS refuses FifoQueue "false" ("Unknown Attribute FifoQueue."). moto differs:
// it creates a standard queue.
scenario('CreateQueue with FifoQueue "false" fails with InvalidAttributeName', { moto: false }, async (t) => {
  await assert.rejects(
    t.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('std'), Attributes: { FifoQueue: 'false' } })),
    errorNamed('InvalidAttributeName', /FifoQueue/),
  );
});

// As above, for "SetQueueAttributes" on an existing standard queue. moto differs: it sets it.
scenario('SetQueueAttributes of a standard queue with ContentBasedDeduplication fails with InvalidAttributeName', { moto: false }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(
    t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } })),
    errorNamed('InvalidAttributeName'),
  );
});

// "GetQueueAttributes": a standard queue has no FifoQueue attribute; AWS answers "Unknown
// Attribute FifoQueue." when it is named. moto differs: it answers without the attribute.
scenario('GetQueueAttributes naming FifoQueue on a standard queue fails with InvalidAttributeName', { moto: false }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue'] })), errorNamed('InvalidAttributeName'));
});

// ---- batches and sizes --------------------------------------------------------------------------------

// "SendMessageBatchRequestEntry" Id: "up to 80 characters. The following characters are
// accepted: alphanumeric characters, hyphens(-), and underscores (_)"; Errors:
// InvalidBatchEntryId.
scenario('SendMessageBatch with an entry Id of a character other than alphanumerics, - and _ fails with InvalidBatchEntryId', { moto: true }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a.b', MessageBody: 'x' }] })), errorNamed('InvalidBatchEntryId'));
});

scenario('SendMessageBatch with an entry Id of 81 characters fails with InvalidBatchEntryId, and one of 80 is accepted', { moto: true }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a'.repeat(81), MessageBody: 'x' }] })), errorNamed('InvalidBatchEntryId'));
  const ok = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a'.repeat(80), MessageBody: 'x' }] }));
  assert.equal(ok.Successful?.length, 1);
});

// "SendMessage" MessageBody: "The maximum size is 1 MiB" (1,048,576 bytes), the default of the
// queue's MaximumMessageSize ("CreateQueue").
scenario('a queue with the default MaximumMessageSize takes a 1 MiB message and refuses one byte more', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_048_576) }));
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_048_577) })), errorNamed('InvalidParameterValue'));
});
