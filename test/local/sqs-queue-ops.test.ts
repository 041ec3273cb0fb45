/**
 * SQS queue operations and validations of issue 13 ("AWS fidelity, round 2"), over the wire with
 * the AWS SDK v3 client, against the engine and, where moto_server agrees with the documented
 * behaviour, against moto_server too. Each case names the page its rule comes from (SQS API
 * reference unless marked as the developer guide; an issue thread where no page says it).
 *
 * Where moto_server 5.2.1 differs from AWS (the case runs on the engine only, `moto: false`):
 * - ListQueues: moto ignores MaxResults and NextToken (it returns every queue, never a token).
 * - ChangeMessageVisibility after the visibility timeout: moto changes the visibility of a
 *   message that is no longer in flight instead of answering MessageNotInflight.
 * - CreateQueue with a .fifo name and no FifoQueue attribute: moto creates a standard queue.
 * - DelaySeconds 0 on a FIFO queue whose DelaySeconds attribute is set: moto delivers at once.
 */
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { errorNamed, scenario, sqsTargets, type SqsTarget } from './support/sqs-targets.ts';

sqsTargets();

let n = 0;
const uniqueName = (stem: string): string => `ops-${process.pid}-${stem}-${++n}`;

async function create(sqs: SQSClient, name: string, attributes: Record<string, string> = {}, tags?: Record<string, string>): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, ...(tags && { tags }) }))).QueueUrl!;
}

async function attributes(t: SqsTarget, url: string, names: string[]): Promise<Record<string, string>> {
  return (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }))).Attributes ?? {};
}

const queueNameOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

// ---- DeleteQueue ------------------------------------------------------------------------------

// "DeleteQueue - Amazon Simple Queue Service": deletes the queue, regardless of its contents.
scenario('DeleteQueue removes a queue and its messages: its name no longer resolves', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'lost with the queue');
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await assert.rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf(url) })), errorNamed('QueueDoesNotExist'));
});

// "DeleteQueue - Amazon Simple Queue Service", Errors: QueueDoesNotExist.
scenario('DeleteQueue of a queue that does not exist fails with QueueDoesNotExist', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await assert.rejects(t.sqs.send(new DeleteQueueCommand({ QueueUrl: url })), errorNamed('QueueDoesNotExist'));
});

// ---- tags ---------------------------------------------------------------------------------------

// "TagQueue - Amazon Simple Queue Service": tags are case-sensitive; a new tag with the key of an
// existing one overwrites it. "ListQueueTags - Amazon Simple Queue Service": lists them.
scenario('TagQueue adds tags and overwrites a tag with the same key; ListQueueTags shows them', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'orders', Env: 'dev' } }));
  await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { Env: 'prod', env: 'lower' } }));
  const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
  assert.deepEqual(Tags, { team: 'orders', Env: 'prod', env: 'lower' });
});

// "UntagQueue - Amazon Simple Queue Service": removes the tags with the given keys.
scenario('UntagQueue removes the given tag keys and ignores keys the queue does not have', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { a: '1', b: '2' } }));
  await t.sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['a', 'never-set'] }));
  const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
  assert.deepEqual(Tags, { b: '2' });
});

// "CreateQueue - Amazon Simple Queue Service": `tags` adds cost allocation tags to the new queue.
scenario('tags given at CreateQueue are on the new queue', { moto: true }, async (t) => {
  const url = await create(t.sqs, uniqueName('tagged'), {}, { owner: 'payments' });
  const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
  assert.deepEqual(Tags, { owner: 'payments' });
});

// "ListQueueTags - Amazon Simple Queue Service".
scenario('ListQueueTags of a queue without tags lists none', { moto: true }, async (t) => {
  const url = await t.queue({});
  const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
  assert.deepEqual(Tags ?? {}, {});
});

// ---- permissions (stored in the Policy attribute; not enforced locally) -------------------------

// "AddPermission - Amazon Simple Queue Service": adds a permission to the queue's access policy
// for the principals (account ids) and actions given, under the label.
scenario('AddPermission writes a statement with its label into the queue\'s Policy attribute', { moto: true }, async (t) => {
  const url = await t.queue({});
  const { QueueArn } = await attributes(t, url, ['QueueArn']);
  await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'AliceSend', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
  const policy = JSON.parse((await attributes(t, url, ['Policy']))['Policy']!) as { Version: string; Statement: unknown[] };
  assert.equal(policy.Version, '2012-10-17');
  assert.deepEqual(policy.Statement, [{
    Sid: 'AliceSend', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'SQS:SendMessage', Resource: QueueArn,
  }]);
});

// "AddPermission - Amazon Simple Queue Service": the label identifies the permission.
scenario('AddPermission with a label the policy already has fails with InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'dup', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
  await assert.rejects(
    t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'dup', AWSAccountIds: ['444455556666'], Actions: ['ReceiveMessage'] })),
    errorNamed('InvalidParameterValue', /Already exists/),
  );
});

// "AddPermission - Amazon Simple Queue Service": a policy statement takes at most 7 actions
// (Errors: OverLimit).
scenario('AddPermission with more than seven actions fails with OverLimit', { moto: true }, async (t) => {
  const url = await t.queue({});
  const actions = ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'PurgeQueue', 'ListDeadLetterSourceQueues'];
  await assert.rejects(
    t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'many', AWSAccountIds: ['111122223333'], Actions: actions })),
    errorNamed('OverLimit'),
  );
});

// "RemovePermission - Amazon Simple Queue Service": revokes the permission with the label.
scenario('RemovePermission removes the statement; with none left the queue has no Policy', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'a', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
  await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'b', AWSAccountIds: ['111122223333'], Actions: ['ReceiveMessage'] }));
  await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'a' }));
  const one = JSON.parse((await attributes(t, url, ['Policy']))['Policy']!) as { Statement: Array<{ Sid: string }> };
  assert.deepEqual(one.Statement.map((s) => s.Sid), ['b']);
  await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'b' }));
  assert.equal((await attributes(t, url, ['Policy']))['Policy'], undefined);
});

// "RemovePermission - Amazon Simple Queue Service".
scenario('RemovePermission with a label the policy does not have fails with InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'nobody' })), errorNamed('InvalidParameterValue'));
});

// ---- ListQueues paging --------------------------------------------------------------------------

// "ListQueues - Amazon Simple Queue Service": with MaxResults, at most that many, and NextToken
// while more results remain. moto differs: it ignores MaxResults and NextToken.
scenario('ListQueues with MaxResults pages through the queues of a prefix with NextToken', { moto: false }, async (t) => {
  const prefix = uniqueName('page');
  const urls: string[] = [];
  for (const i of [1, 2, 3, 4, 5]) urls.push(await create(t.sqs, `${prefix}-${i}`));
  await create(t.sqs, `other-${prefix}`); // outside the prefix
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, ...(token && { NextToken: token }) }));
    assert.ok((page.QueueUrls ?? []).length <= 2);
    seen.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
    pages++;
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), urls.sort());
});

// "ListQueues - Amazon Simple Queue Service": "You must set MaxResults to receive a value for
// NextToken in the response."
scenario('ListQueues without MaxResults answers without a NextToken', { moto: true }, async (t) => {
  const prefix = uniqueName('all');
  for (const i of [1, 2, 3]) await create(t.sqs, `${prefix}-${i}`);
  const page = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  assert.equal(page.QueueUrls?.length, 3);
  assert.equal(page.NextToken, undefined);
});

// "ListQueues - Amazon Simple Queue Service": MaxResults "Value range is 1 to 1000".
// moto differs: it ignores MaxResults.
scenario('ListQueues with MaxResults outside 1–1000 fails with InvalidParameterValue', { moto: false }, async (t) => {
  await assert.rejects(t.sqs.send(new ListQueuesCommand({ MaxResults: 0 })), errorNamed('InvalidParameterValue'));
  await assert.rejects(t.sqs.send(new ListQueuesCommand({ MaxResults: 1001 })), errorNamed('InvalidParameterValue'));
});

// ---- queue type -----------------------------------------------------------------------------------

// "CreateQueue - Amazon Simple Queue Service": a FIFO queue name must end with the .fifo suffix.
scenario('CreateQueue with FifoQueue "true" and a name without .fifo fails with InvalidParameterValue', { moto: true }, async (t) => {
  await assert.rejects(create(t.sqs, uniqueName('nosuffix'), { FifoQueue: 'true' }), errorNamed('InvalidParameterValue'));
});

// "CreateQueue - Amazon Simple Queue Service": "If you don't specify the FifoQueue attribute,
// Amazon SQS creates a standard queue", and a standard queue's name has only alphanumerics,
// hyphens and underscores, so a .fifo name without FifoQueue is not a valid name.
// moto differs: it accepts the name and creates a standard queue called "….fifo".
scenario('CreateQueue with a .fifo name but without FifoQueue "true" fails with InvalidParameterValue', { moto: false }, async (t) => {
  await assert.rejects(create(t.sqs, `${uniqueName('suffix')}.fifo`), errorNamed('InvalidParameterValue'));
});

// ---- SendMessage ------------------------------------------------------------------------------------

// "SendMessage - Amazon Simple Queue Service": MessageGroupId "is an attribute used in Amazon SQS
// FIFO ... and standard queues ... In standard queues, using MessageGroupId enables fair queues."
scenario('a standard queue accepts a MessageGroupId (fair queues) and returns it with the message', { moto: true }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'tenant message', 'tenant-1');
  const [m] = await t.receive(url);
  assert.equal(m?.Body, 'tenant message');
  assert.equal(m?.Attributes?.['MessageGroupId'], 'tenant-1');
});

// "SendMessage - Amazon Simple Queue Service": MessageBody "The maximum size is 1 MiB", bounded by
// the queue's MaximumMessageSize ("CreateQueue": the limit of how many bytes a message can contain).
scenario('a message larger than the queue\'s MaximumMessageSize is refused with InvalidParameterValue', { moto: true }, async (t) => {
  const url = await create(t.sqs, uniqueName('small'), { MaximumMessageSize: '1024' });
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1024) }));
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })), errorNamed('InvalidParameterValue'));
});

// "SendMessage - Amazon Simple Queue Service", DelaySeconds: "When you set FifoQueue, you can't set
// DelaySeconds per message." An explicit 0 is accepted (localstack/localstack#6612 and
// softwaremill/elasticmq#273, both checked against AWS).
scenario('a FIFO queue accepts DelaySeconds 0 on SendMessage', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true });
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', MessageGroupId: 'g', DelaySeconds: 0 }));
  const [m] = await t.receive(url);
  assert.equal(m?.Body, 'now');
});

// "SendMessage - Amazon Simple Queue Service", DelaySeconds (as above): a per-message delay on a FIFO
// queue is refused ("Value 5 for parameter DelaySeconds is invalid. Reason: The request include
// parameter that is not valid for this queue type.", quoted in localstack/localstack#6612).
scenario('a FIFO queue refuses a positive per-message DelaySeconds with InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true });
  await assert.rejects(
    t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', MessageGroupId: 'g', DelaySeconds: 5 })),
    errorNamed('InvalidParameterValue', /not valid for this queue type/),
  );
});

// "Amazon SQS delay queues" (developer guide) and "SendMessage" DelaySeconds: on a FIFO queue the
// delay is the queue's; an explicit 0 does not cancel it (localstack/localstack#12941, matching AWS).
// moto differs: an explicit 0 overrides the queue's delay there (the message is visible at once).
scenario('DelaySeconds 0 on a FIFO delay queue leaves the message delayed by the queue\'s DelaySeconds', { moto: false }, async (t) => {
  const url = await create(t.sqs, `${uniqueName('delayq')}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true', DelaySeconds: '600' });
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'held', MessageGroupId: 'g', DelaySeconds: 0 }));
  assert.equal((await attributes(t, url, ['ApproximateNumberOfMessagesDelayed']))['ApproximateNumberOfMessagesDelayed'], '1');
  assert.equal((await t.receive(url)).length, 0);
});

// ---- batches ------------------------------------------------------------------------------------------

// "SendMessageBatch - Amazon Simple Queue Service": up to 10 messages (TooManyEntriesInBatchRequest).
scenario('SendMessageBatch with 11 entries fails with TooManyEntriesInBatchRequest', { moto: true }, async (t) => {
  const url = await t.queue({});
  const Entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })), errorNamed('TooManyEntriesInBatchRequest'));
});

// "SendMessageBatch - Amazon Simple Queue Service", Errors: EmptyBatchRequest.
scenario('SendMessageBatch without entries fails with EmptyBatchRequest', { moto: true }, async (t) => {
  const url = await t.queue({});
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), errorNamed('EmptyBatchRequest'));
});

// "SendMessageBatch - Amazon Simple Queue Service", Errors: BatchEntryIdsNotDistinct.
scenario('SendMessageBatch with two entries of one Id fails with BatchEntryIdsNotDistinct', { moto: true }, async (t) => {
  const url = await t.queue({});
  const Entries = [{ Id: 'same', MessageBody: 'one' }, { Id: 'same', MessageBody: 'two' }];
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })), errorNamed('BatchEntryIdsNotDistinct'));
});

// "SendMessageBatch - Amazon Simple Queue Service": the maximum total payload (the sum of the
// individual lengths of all the batched messages) is 1 MiB (1,048,576 bytes); Errors:
// BatchRequestTooLong.
scenario('SendMessageBatch whose messages add up to more than 1 MiB fails with BatchRequestTooLong', { moto: true }, async (t) => {
  const url = await t.queue({});
  const Entries = [{ Id: 'a', MessageBody: 'a'.repeat(600_000) }, { Id: 'b', MessageBody: 'b'.repeat(600_000) }];
  await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })), errorNamed('BatchRequestTooLong'));
});

// ---- redrive and visibility ----------------------------------------------------------------------

// "SetQueueAttributes - Amazon Simple Queue Service" does not say how to remove a redrive policy;
// AWS removes it when RedrivePolicy is set to "" (getmoto/moto#4643 and localstack/localstack#11385,
// both checked against AWS: GetQueueAttributes then has no RedrivePolicy).
scenario('SetQueueAttributes with an empty RedrivePolicy removes the redrive policy', { moto: true }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = await attributes(t, dlq, ['QueueArn']);
  const url = await create(t.sqs, uniqueName('redriven'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: QueueArn, maxReceiveCount: 1 }) });
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: '' } }));
  assert.equal((await attributes(t, url, ['All']))['RedrivePolicy'], undefined);
});

// As above: without the policy, a message received more often than the old maxReceiveCount stays.
scenario('after the redrive policy is removed, a message received again is not moved to the old DLQ', { moto: true }, async (t) => {
  const dlq = await t.queue({});
  const { QueueArn } = await attributes(t, dlq, ['QueueArn']);
  const url = await create(t.sqs, uniqueName('unredriven'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: QueueArn, maxReceiveCount: 1 }) });
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: '' } }));
  await t.send(url, 'stays');
  assert.equal((await t.receive(url, 1, 0)).length, 1);
  const [again] = await t.receive(url, 1, 0);
  assert.equal(again?.Body, 'stays');
  assert.equal((await t.receive(dlq)).length, 0);
});

// "ChangeMessageVisibility - Amazon Simple Queue Service": after the visibility timeout, changing it
// "might result in an error"; Errors: MessageNotInflight ("The specified message isn't in flight").
// The lease is ended by a receive with VisibilityTimeout 0, not by waiting.
// moto differs: it changes the visibility of the message anyway.
scenario('ChangeMessageVisibility after the message\'s visibility timeout ran out fails with MessageNotInflight', { moto: false }, async (t) => {
  const url = await t.queue({});
  await t.send(url, 'expired lease');
  const [m] = await t.receive(url, 1, 0);
  await assert.rejects(
    t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 30 })),
    errorNamed('MessageNotInflight'),
  );
});
