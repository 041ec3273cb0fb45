/**
 * The SQS query protocol (form-encoded `Action=…&Version=2012-11-05` requests, XML answers),
 * spoken by a real query-protocol SDK (`@aws-sdk/client-sqs` 3.445.0, aliased
 * `sqs-query-client`) against the engine and, where moto_server agrees with the documented
 * behaviour, against moto_server 5.2.1 too. Each case names the page its rule comes from.
 *
 * Pages (SQS API reference = https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/,
 * developer guide = https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/):
 * - "Making query API requests using AWS query protocol in Amazon SQS", developer guide, sqs-making-api-requests.html
 * - "Interpreting Amazon SQS XML API responses", developer guide, sqs-api-responses.html
 * - "Message metadata for Amazon SQS" (MD5 of message attributes), developer guide, sqs-message-metadata.html
 * - "Common Errors", API reference, CommonErrors.html
 * - each action's page, API reference, API_<Action>.html
 *
 * Where moto_server 5.2.1 differs from AWS (the case runs on the engine only, `moto: false`):
 * - An unknown or misspelled Action, a non-integer where an integer belongs, a GET request,
 *   StartMessageMoveTask and ListMessageMoveTasks: moto answers HTTP 500 with an HTML page.
 * - A request without Action, or addressed by its path (/<account>/<queue> with no QueueUrl
 *   parameter): moto answers AWS.SimpleQueueService.NonExistentQueue.
 * - CreatedTimestamp: moto gives fractional seconds ("1700000000.123456"); AWS gives whole seconds.
 * - SetQueueAttributes of an unknown attribute and a body with characters outside the allowed
 *   set: moto accepts them.
 * - SendMessageBatch on a FIFO queue: moto leaves SequenceNumber out of the entries' results.
 * - ListQueues and ListDeadLetterSourceQueues ignore MaxResults and NextToken.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type Message,
  type MessageAttributeValue,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from 'sqs-query-client';
import { sqsTargets } from './support/sqs-targets.ts';
import { queryError, queryScenario, type QueryTarget } from './support/sqs-query-targets.ts';

sqsTargets();

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const nameOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);
const arnOf = (t: QueryTarget, url: string): string => `arn:aws:sqs:${t.at.region}:${t.at.accountId}:${nameOf(url)}`;

async function receive(sqs: SQSClient, url: string, extra: { MessageAttributeNames?: string[]; VisibilityTimeout?: number } = {}): Promise<Message[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, AttributeNames: ['All'], ...extra }));
  return Messages ?? [];
}

async function attributes(sqs: SQSClient, url: string, names: string[]): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }))).Attributes ?? {};
}

/** An XML element's text in a (flat, attribute-free) answer. */
function xmlValue(xml: string, element: string): string | undefined {
  return new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1];
}

// ---- the protocol itself --------------------------------------------------------------------------

// "Making query API requests using AWS query protocol in Amazon SQS" (developer guide,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests.html):
// a POST request carries its parameters form-encoded in the body, with Action and Version.
queryScenario('the client speaks the query protocol: a form-encoded POST with Action and Version, no X-Amz-Target', { moto: true }, async (t) => {
  const seen: Array<{ headers: Record<string, string>; body: unknown }> = [];
  const client = t.rewritingClient((body) => body);
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push(args.request as { headers: Record<string, string>; body: unknown });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureRequest' },
  );
  await client.send(new ListQueuesCommand({ QueueNamePrefix: 'none-such-' }));
  const [request] = seen;
  assert.ok(request);
  assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(request.headers['x-amz-target'], undefined);
  const params = new URLSearchParams(String(request.body));
  assert.equal(params.get('Action'), 'ListQueues');
  assert.equal(params.get('Version'), '2012-11-05');
  assert.equal(params.get('QueueNamePrefix'), 'none-such-');
});

// "Interpreting Amazon SQS XML API responses" (developer guide,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html):
// a success is <ActionResponse> holding <ActionResult> and <ResponseMetadata><RequestId>.
queryScenario('a successful answer is XML: <CreateQueueResponse> with <CreateQueueResult><QueueUrl> and a RequestId', { moto: true }, async (t) => {
  const name = `query-raw-${process.pid}`;
  const { status, contentType, text } = await t.raw({ Action: 'CreateQueue', QueueName: name, Version: '2012-11-05' });
  assert.equal(status, 200);
  assert.match(contentType, /xml/);
  assert.match(text, /^(<\?xml[^>]*\?>)?\s*<CreateQueueResponse[^>]*>\s*<CreateQueueResult>\s*<QueueUrl>[^<]+<\/QueueUrl>\s*<\/CreateQueueResult>\s*<ResponseMetadata>\s*<RequestId>[^<]+<\/RequestId>\s*<\/ResponseMetadata>\s*<\/CreateQueueResponse>\s*$/);
  assert.equal(nameOf(xmlValue(text, 'QueueUrl')!), name);
});

// Same page: a failure is <ErrorResponse><Error><Type>Sender|Receiver</Type><Code><Message>…</Error>
// <RequestId>; "GetQueueUrl" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html):
// QueueDoesNotExist, whose query code is AWS.SimpleQueueService.NonExistentQueue, HTTP 400.
queryScenario('an error answer is XML: <ErrorResponse> with Type Sender, the query Code, a Message and a RequestId', { moto: true }, async (t) => {
  const { status, text } = await t.raw({ Action: 'GetQueueUrl', QueueName: 'query-none-such', Version: '2012-11-05' });
  assert.equal(status, 400);
  assert.match(text, /<ErrorResponse[^>]*>\s*<Error>/);
  assert.equal(xmlValue(text, 'Type'), 'Sender');
  assert.equal(xmlValue(text, 'Code'), 'AWS.SimpleQueueService.NonExistentQueue');
  assert.ok(xmlValue(text, 'Message'));
  assert.ok(xmlValue(text, 'RequestId'));
});

// "Making query API requests using AWS query protocol in Amazon SQS", "Making a GET request":
// the action and its parameters in the URL's query string.
queryScenario('a GET request with the parameters in the query string is served', { moto: false }, async (t) => {
  const name = `query-get-${process.pid}`;
  const { status, text } = await t.raw({ Action: 'CreateQueue', QueueName: name, Version: '2012-11-05' }, { method: 'GET' });
  assert.equal(status, 200);
  const url = xmlValue(text, 'QueueUrl')!;
  assert.equal((await t.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, url);
});

// Same page: the endpoint of a GET request is "the resource that the request is acting on (the
// queue name and URL)", e.g. https://sqs.us-east-2.amazonaws.com/123456789012/MyQueue?Action=SendMessage&…
queryScenario('a request sent to the queue URL path acts on that queue without a QueueUrl parameter', { moto: false }, async (t) => {
  const url = await t.queue();
  const { status, text } = await t.raw({ Action: 'SendMessage', MessageBody: 'by path', Version: '2012-11-05' }, { path: new URL(url).pathname });
  assert.equal(status, 200);
  assert.equal(xmlValue(text, 'MD5OfMessageBody'), md5('by path'));
  assert.deepEqual((await receive(t.sqs, url)).map((m) => m.Body), ['by path']);
});

// "Common Errors" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html):
// InvalidAction, "The action or operation requested is invalid", HTTP 400.
queryScenario('an Action the service does not have is InvalidAction, HTTP 400', { moto: false }, async (t) => {
  const client = t.rewritingClient((body) => body.replace('Action=ListQueues', 'Action=ListQueuez'));
  await assert.rejects(client.send(new ListQueuesCommand({})), queryError('InvalidAction', 400, 'InvalidAction'));
});

// "Common Errors": MissingAction, "The request is missing an action or a required parameter", HTTP 400.
queryScenario('a form request without Action is MissingAction, HTTP 400', { moto: false }, async (t) => {
  const client = t.rewritingClient((body) => body.replace(/(^|&)Action=ListQueues/, ''));
  await assert.rejects(client.send(new ListQueuesCommand({})), queryError('MissingAction', 400, 'MissingAction'));
});

// "Common Errors": InvalidQueryParameter, "The AWS query string is malformed or does not adhere
// to AWS standards", HTTP 400 (list and map members are numbered from 1).
queryScenario('a parameter whose member number is not 1, 2, … is InvalidQueryParameter, HTTP 400', { moto: false }, async (t) => {
  const url = await t.queue();
  const client = t.rewritingClient((body) => body.replace('Attribute.1.', 'Attribute.first.'));
  await assert.rejects(
    client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '40' } })),
    queryError('InvalidQueryParameter', 400, 'InvalidQueryParameter'),
  );
});

// "Common Errors": MissingParameter, "A required parameter for the specified action is not supplied", HTTP 400.
queryScenario('an action without its required QueueUrl is MissingParameter, HTTP 400', { moto: false }, async (t) => {
  const client = t.rewritingClient((body) => body.replace(/(^|&)QueueUrl=[^&]*/, ''));
  await assert.rejects(client.send(new PurgeQueueCommand({ QueueUrl: 'dropped' })), queryError('MissingParameter', 400));
});

// The engine's own answer (no AWS rule): a request that is neither JSON (no X-Amz-Target) nor
// query (no Action, no form body) is refused, naming both protocols.
queryScenario('a request with neither X-Amz-Target nor Action is refused with a message naming both protocols', { moto: false }, async (t) => {
  const response = await fetch(`${t.at.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await response.json()) as { __type: string; message: string };
  assert.equal(response.status, 400);
  assert.equal(body.__type, 'MissingTargetException');
  assert.match(body.message, /X-Amz-Target/);
  assert.match(body.message, /query protocol.*Action=/);
});

// ---- queues -----------------------------------------------------------------------------------

// "CreateQueue" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html)
// and "GetQueueUrl" (…/API_GetQueueUrl.html): the queue's URL, the same from both.
queryScenario('CreateQueue answers the queue URL, and GetQueueUrl gives the same URL', { moto: true }, async (t) => {
  const url = await t.queue();
  assert.equal((await t.sqs.send(new GetQueueUrlCommand({ QueueName: nameOf(url) }))).QueueUrl, url);
});

// "CreateQueue": Attribute.N.Name/Value set attributes and Tag.N.Key/Value (tags) tag the queue
// at creation; "GetQueueAttributes" (…/API_GetQueueAttributes.html) and "ListQueueTags" report them.
queryScenario('CreateQueue with attributes and tags: GetQueueAttributes and ListQueueTags report them', { moto: true }, async (t) => {
  const name = `query-tagged-${process.pid}`;
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45', DelaySeconds: '2' }, tags: { team: 'platform', env: 'dev' } }));
  assert.deepEqual(await attributes(t.sqs, QueueUrl!, ['VisibilityTimeout', 'DelaySeconds']), { VisibilityTimeout: '45', DelaySeconds: '2' });
  assert.deepEqual((await t.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'platform', env: 'dev' });
});

// "CreateQueue", Errors: QueueNameExists (query code QueueAlreadyExists) when a queue of that name
// exists with different attribute values.
queryScenario('CreateQueue of an existing name with other attribute values is QueueNameExists (QueueAlreadyExists)', { moto: true }, async (t) => {
  const url = await t.queue({ attributes: { VisibilityTimeout: '30' } });
  await assert.rejects(
    t.sqs.send(new CreateQueueCommand({ QueueName: nameOf(url), Attributes: { VisibilityTimeout: '60' } })),
    queryError('QueueNameExists', 400, 'QueueAlreadyExists'),
  );
});

// "ListQueues" (…/API_ListQueues.html): QueueNamePrefix lists only the queues whose names start with it.
queryScenario('ListQueues with QueueNamePrefix lists exactly the queues with that prefix', { moto: true }, async (t) => {
  const prefix = `query-prefix-${process.pid}-`;
  const urls = [];
  for (const suffix of ['a', 'b']) urls.push((await t.sqs.send(new CreateQueueCommand({ QueueName: `${prefix}${suffix}` }))).QueueUrl!);
  assert.deepEqual([...((await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [])].sort(), urls.sort());
});

// "ListQueues": with MaxResults the answer holds at most that many and a NextToken when there are more.
queryScenario('ListQueues pages with MaxResults and NextToken', { moto: false }, async (t) => {
  const prefix = `query-page-${process.pid}-`;
  for (const suffix of ['a', 'b', 'c']) await t.sqs.send(new CreateQueueCommand({ QueueName: `${prefix}${suffix}` }));
  const first = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
  assert.equal(first.QueueUrls?.length, 2);
  assert.ok(first.NextToken);
  const second = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
  assert.deepEqual(second.QueueUrls?.map(nameOf), [`${prefix}c`]);
  assert.equal(second.NextToken, undefined);
});

// "DeleteQueue" (…/API_DeleteQueue.html): the queue is deleted; "GetQueueUrl", Errors: QueueDoesNotExist.
queryScenario('DeleteQueue removes the queue: GetQueueUrl then fails with QueueDoesNotExist', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await assert.rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: nameOf(url) })), queryError('QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue'));
});

// "SendMessage" (…/API_SendMessage.html), Errors: QueueDoesNotExist, "Ensure that the QueueUrl is
// correct". This SDK release's SendMessage knows no QueueDoesNotExist exception, so it names the
// error by its query code.
queryScenario('SendMessage to a queue that does not exist fails with the NonExistentQueue code, HTTP 400', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await assert.rejects(
    t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'lost' })),
    queryError('AWS.SimpleQueueService.NonExistentQueue', 400, 'AWS.SimpleQueueService.NonExistentQueue'),
  );
});

// "GetQueueAttributes": AttributeName.N names the attributes wanted; only those are returned.
queryScenario('GetQueueAttributes returns only the attributes named', { moto: true }, async (t) => {
  const url = await t.queue({ attributes: { VisibilityTimeout: '50' } });
  assert.deepEqual(Object.keys(await attributes(t.sqs, url, ['VisibilityTimeout', 'QueueArn'])).sort(), ['QueueArn', 'VisibilityTimeout']);
  assert.equal((await attributes(t.sqs, url, ['QueueArn']))['QueueArn'], arnOf(t, url));
});

// "GetQueueAttributes": CreatedTimestamp is "the time when the queue was created in seconds (epoch time)".
queryScenario('GetQueueAttributes gives CreatedTimestamp in whole epoch seconds', { moto: false }, async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const url = await t.queue();
  const created = (await attributes(t.sqs, url, ['CreatedTimestamp']))['CreatedTimestamp']!;
  assert.match(created, /^\d+$/);
  assert.ok(Number(created) >= before - 1 && Number(created) <= Math.ceil(Date.now() / 1000));
});

// "GetQueueAttributes", Errors: InvalidAttributeName, "The specified attribute doesn't exist".
queryScenario('GetQueueAttributes of an attribute that does not exist is InvalidAttributeName', { moto: true }, async (t) => {
  const url = await t.queue();
  await assert.rejects(t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['NoSuchAttribute' as never] })), queryError('InvalidAttributeName'));
});

// "SetQueueAttributes" (…/API_SetQueueAttributes.html): RedrivePolicy is a JSON string with
// deadLetterTargetArn and maxReceiveCount; GetQueueAttributes returns it.
queryScenario('SetQueueAttributes sets a RedrivePolicy (JSON) that GetQueueAttributes returns', { moto: true }, async (t) => {
  const dlq = await t.queue();
  const url = await t.queue();
  const policy = { deadLetterTargetArn: arnOf(t, dlq), maxReceiveCount: 4 };
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify(policy), VisibilityTimeout: '20' } }));
  const got = await attributes(t.sqs, url, ['RedrivePolicy', 'VisibilityTimeout']);
  assert.deepEqual(JSON.parse(got['RedrivePolicy']!), policy);
  assert.equal(got['VisibilityTimeout'], '20');
});

// "SetQueueAttributes", Errors: InvalidAttributeName.
queryScenario('SetQueueAttributes of an attribute that does not exist is InvalidAttributeName', { moto: false }, async (t) => {
  const url = await t.queue();
  await assert.rejects(t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { NoSuchAttribute: '1' } as never })), queryError('InvalidAttributeName'));
});

// "ListDeadLetterSourceQueues" (…/API_ListDeadLetterSourceQueues.html): "a list of your queues
// that have the RedrivePolicy queue attribute configured with a dead-letter queue".
queryScenario('ListDeadLetterSourceQueues lists the queues whose RedrivePolicy names the DLQ', { moto: true }, async (t) => {
  const dlq = await t.queue();
  const redrive = JSON.stringify({ deadLetterTargetArn: arnOf(t, dlq), maxReceiveCount: 3 });
  const sources = [await t.queue({ attributes: { RedrivePolicy: redrive } }), await t.queue({ attributes: { RedrivePolicy: redrive } })];
  await t.queue();
  const { queueUrls } = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual([...(queueUrls ?? [])].sort(), sources.sort());
});

// "ListDeadLetterSourceQueues": with MaxResults, at most that many and a NextToken when there are more.
queryScenario('ListDeadLetterSourceQueues pages with MaxResults and NextToken', { moto: false }, async (t) => {
  const dlq = await t.queue();
  const redrive = JSON.stringify({ deadLetterTargetArn: arnOf(t, dlq), maxReceiveCount: 3 });
  const sources = [await t.queue({ attributes: { RedrivePolicy: redrive } }), await t.queue({ attributes: { RedrivePolicy: redrive } })];
  const first = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1 }));
  assert.equal(first.queueUrls?.length, 1);
  assert.ok(first.NextToken);
  const second = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1, NextToken: first.NextToken }));
  assert.deepEqual([...first.queueUrls!, ...second.queueUrls!].sort(), sources.sort());
  assert.equal(second.NextToken, undefined);
});

// ---- messages -----------------------------------------------------------------------------------

/**
 * The example attributes of "Message metadata for Amazon SQS" ("Calculating the MD5 message digest
 * for message attributes", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html):
 * one String, one custom Number, one Binary. Their digest, by that algorithm, is the known value below.
 */
const THREE_ATTRIBUTES: Record<string, MessageAttributeValue> = {
  attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
  customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' },
  binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
};
const THREE_ATTRIBUTES_MD5 = 'c932db14a896c663f83c260297d594ff';

// "SendMessage": MD5OfMessageBody and MD5OfMessageAttributes, "an MD5 digest of the non-URL-encoded"
// body and attributes; the developer guide's algorithm gives the attributes' digest.
queryScenario('SendMessage with String, Number and Binary attributes answers the MD5 of the body and of the attributes', { moto: true }, async (t) => {
  const url = await t.queue();
  const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'with attributes', MessageAttributes: THREE_ATTRIBUTES }));
  assert.equal(sent.MD5OfMessageBody, md5('with attributes'));
  assert.equal(sent.MD5OfMessageAttributes, THREE_ATTRIBUTES_MD5);
  assert.ok(sent.MessageId);
});

// "ReceiveMessage" (…/API_ReceiveMessage.html): MessageAttributeName.N=All returns every message
// attribute, with MD5OfMessageAttributes; a Binary value comes back as the bytes sent (base64 on the wire).
queryScenario('ReceiveMessage returns the attributes as sent (Binary bytes intact) with their MD5', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'with attributes', MessageAttributes: THREE_ATTRIBUTES }));
  const [message] = await receive(t.sqs, url, { MessageAttributeNames: ['All'] });
  assert.ok(message);
  assert.equal(message.MD5OfBody, md5('with attributes'));
  assert.equal(message.MD5OfMessageAttributes, THREE_ATTRIBUTES_MD5);
  const got = message.MessageAttributes!;
  assert.deepEqual(got['attribName1'], { DataType: 'String', StringValue: 'attribValue 1' });
  assert.deepEqual(got['customNumberTypeAttrib'], { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' });
  assert.equal(got['binaryAttribute']!.DataType, 'Binary');
  assert.deepEqual(Buffer.from(got['binaryAttribute']!.BinaryValue!), Buffer.from('Hello binary world!'));
});

// "ReceiveMessage": MessageAttributeName.N names the attributes to return ("bar.*" all with that
// prefix); the others are left out, and the digest covers the returned ones only.
queryScenario('ReceiveMessage returns only the message attributes named, by name or by prefix.*', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({
    QueueUrl: url,
    MessageBody: 'x',
    MessageAttributes: { 'trace.id': { DataType: 'String', StringValue: '1' }, 'trace.span': { DataType: 'String', StringValue: '2' }, kind: { DataType: 'String', StringValue: 'k' }, other: { DataType: 'Number', StringValue: '3' } },
  }));
  const [message] = await receive(t.sqs, url, { MessageAttributeNames: ['kind', 'trace.*'] });
  assert.deepEqual(Object.keys(message!.MessageAttributes!).sort(), ['kind', 'trace.id', 'trace.span']);
});

// "SendMessage": "A message can include only XML, JSON, and unformatted text. The following Unicode
// characters are allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF".
queryScenario('a body with XML markup, quotes, CR LF, tab and non-ASCII text comes back exactly as sent', { moto: true }, async (t) => {
  const url = await t.queue();
  const body = '<order id="1">&amp; \'tea\' & <cake/></order>\r\n\tline two\r é ✓ 😀 ]]>';
  const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: { note: { DataType: 'String', StringValue: '<a & b>\r\n' } } }));
  assert.equal(sent.MD5OfMessageBody, md5(body));
  const [message] = await receive(t.sqs, url, { MessageAttributeNames: ['All'] });
  assert.equal(message!.Body, body);
  assert.equal(message!.MessageAttributes!['note']!.StringValue, '<a & b>\r\n');
});

// "SendMessage", Errors: InvalidMessageContents, "The message contains characters outside the allowed set".
queryScenario('a body with a character outside the allowed set is InvalidMessageContents', { moto: false }, async (t) => {
  const url = await t.queue();
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' })), queryError('InvalidMessageContents'));
});

// "ReceiveMessage": AttributeName.N=All returns the system attributes; SentTimestamp and
// ApproximateFirstReceiveTimestamp are epoch milliseconds, ApproximateReceiveCount counts receives.
queryScenario('ReceiveMessage with AttributeName All returns SenderId, SentTimestamp (epoch ms) and ApproximateReceiveCount', { moto: true }, async (t) => {
  const url = await t.queue();
  const before = Date.now();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  const [message] = await receive(t.sqs, url);
  const got = message!.Attributes!;
  assert.ok(got['SenderId']);
  assert.match(got['SentTimestamp']!, /^\d{13}$/);
  assert.ok(Number(got['SentTimestamp']) >= before - 1000 && Number(got['SentTimestamp']) <= Date.now());
  assert.match(got['ApproximateFirstReceiveTimestamp']!, /^\d{13}$/);
  assert.equal(got['ApproximateReceiveCount'], '1');
});

// "ReceiveMessage": MaxNumberOfMessages "Valid values: 1 to 10"; a value outside is InvalidParameterValue.
queryScenario('ReceiveMessage with MaxNumberOfMessages 11 is InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue();
  await assert.rejects(t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), queryError('InvalidParameterValue'));
});

// "Common Errors": InvalidParameterValue, "An invalid or out-of-range value was supplied for the input parameter".
queryScenario('a parameter that should be an integer and is not one is InvalidParameterValue', { moto: false }, async (t) => {
  const url = await t.queue();
  const client = t.rewritingClient((body) => body.replace('MaxNumberOfMessages=2', 'MaxNumberOfMessages=two'));
  await assert.rejects(client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2 })), queryError('InvalidParameterValue'));
});

// "SendMessage": DelaySeconds "Valid values: 0 to 900"; a message with a delay is not visible until it passes.
queryScenario('SendMessage with DelaySeconds keeps the message delayed; above 900 is InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 }));
  assert.equal((await attributes(t.sqs, url, ['ApproximateNumberOfMessagesDelayed']))['ApproximateNumberOfMessagesDelayed'], '1');
  assert.deepEqual(await receive(t.sqs, url), []);
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'never', DelaySeconds: 901 })), queryError('InvalidParameterValue'));
});

// "DeleteMessage" (…/API_DeleteMessage.html): deletes the message its receipt handle names.
queryScenario('DeleteMessage with the receipt handle removes the message', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'done' }));
  const [message] = await receive(t.sqs, url, { VisibilityTimeout: 0 });
  await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle! }));
  assert.deepEqual(await receive(t.sqs, url), []);
});

// "DeleteMessage", Errors: ReceiptHandleIsInvalid, "The specified receipt handle isn't valid"; the
// SQS service model gives it HTTP status 404 (moto answers 400).
queryScenario('DeleteMessage with a receipt handle that is not one is ReceiptHandleIsInvalid', { moto: true }, async (t) => {
  const url = await t.queue();
  const status = t.name === 'engine' ? 404 : 400;
  await assert.rejects(t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })), queryError('ReceiptHandleIsInvalid', status));
});

// "ChangeMessageVisibility" (…/API_ChangeMessageVisibility.html): VisibilityTimeout 0 makes the
// message visible again at once.
queryScenario('ChangeMessageVisibility to 0 makes a received message receivable again', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
  const [first] = await receive(t.sqs, url);
  assert.deepEqual(await receive(t.sqs, url), []);
  await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle!, VisibilityTimeout: 0 }));
  const [second] = await receive(t.sqs, url);
  assert.equal(second!.MessageId, first!.MessageId);
  assert.equal(second!.Attributes!['ApproximateReceiveCount'], '2');
});

// "PurgeQueue" (…/API_PurgeQueue.html): deletes the messages in the queue.
queryScenario('PurgeQueue deletes every message of the queue', { moto: true }, async (t) => {
  const url = await t.queue();
  for (const body of ['a', 'b', 'c']) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  await t.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  assert.deepEqual(await receive(t.sqs, url), []);
});

// ---- batches ------------------------------------------------------------------------------------

// "SendMessageBatch" (…/API_SendMessageBatch.html): "The result of sending each message is reported
// individually in the response"; a failed entry is a BatchResultErrorEntry (…/API_BatchResultErrorEntry.html)
// with Id, SenderFault, Code and Message.
queryScenario('SendMessageBatch reports each entry: successes with MD5s, a bad entry as BatchResultErrorEntry', { moto: true }, async (t) => {
  const url = await t.queue();
  const result = await t.sqs.send(new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: [
      { Id: 'plain', MessageBody: 'one' },
      { Id: 'attributed', MessageBody: 'two', MessageAttributes: THREE_ATTRIBUTES },
      { Id: 'too-late', MessageBody: 'three', DelaySeconds: 901 },
    ],
  }));
  const byId = new Map(result.Successful?.map((s) => [s.Id, s]));
  assert.deepEqual([...byId.keys()].sort(), ['attributed', 'plain']);
  assert.equal(byId.get('plain')!.MD5OfMessageBody, md5('one'));
  assert.equal(byId.get('attributed')!.MD5OfMessageBody, md5('two'));
  assert.equal(byId.get('attributed')!.MD5OfMessageAttributes, THREE_ATTRIBUTES_MD5);
  assert.equal(result.Failed?.length, 1);
  assert.equal(result.Failed![0]!.Id, 'too-late');
  assert.equal(result.Failed![0]!.SenderFault, true);
  assert.equal(result.Failed![0]!.Code, 'InvalidParameterValue');
  assert.deepEqual((await receive(t.sqs, url, { MessageAttributeNames: ['All'] })).map((m) => m.Body).sort(), ['one', 'two']);
});

// Whole-request errors of "SendMessageBatch", "DeleteMessageBatch" and "ChangeMessageVisibilityBatch",
// each by its page's Errors section.
const batchErrors: Array<{ rule: string; entries: Array<{ Id: string; MessageBody: string }>; name: string; code: string }> = [
  { rule: 'more than 10 entries is TooManyEntriesInBatchRequest', entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })), name: 'TooManyEntriesInBatchRequest', code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest' },
  { rule: 'two entries with one Id is BatchEntryIdsNotDistinct', entries: [{ Id: 'same', MessageBody: 'a' }, { Id: 'same', MessageBody: 'b' }], name: 'BatchEntryIdsNotDistinct', code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' },
  { rule: 'an Id with characters other than alphanumerics, - and _ is InvalidBatchEntryId', entries: [{ Id: 'no spaces!', MessageBody: 'a' }], name: 'InvalidBatchEntryId', code: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
];
for (const { rule, entries, name, code } of batchErrors) {
  queryScenario(`SendMessageBatch: ${rule}`, { moto: true }, async (t) => {
    const url = await t.queue();
    await assert.rejects(t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries })), queryError(name, 400, code));
  });
}

// "DeleteMessageBatch" (…/API_DeleteMessageBatch.html): each entry's result is reported on its
// own; an invalid handle fails its entry (ReceiptHandleIsInvalid) and the others are deleted.
queryScenario('DeleteMessageBatch deletes the good entries and reports a bad handle as a failed entry', { moto: true }, async (t) => {
  const url = await t.queue();
  for (const body of ['a', 'b']) await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  const messages = await receive(t.sqs, url, { VisibilityTimeout: 0 });
  assert.equal(messages.length, 2);
  const result = await t.sqs.send(new DeleteMessageBatchCommand({
    QueueUrl: url,
    Entries: [...messages.map((m, i) => ({ Id: `ok${i}`, ReceiptHandle: m.ReceiptHandle! })), { Id: 'bad', ReceiptHandle: 'not-a-handle' }],
  }));
  assert.deepEqual(result.Successful?.map((s) => s.Id).sort(), ['ok0', 'ok1']);
  assert.equal(result.Failed?.length, 1);
  assert.equal(result.Failed![0]!.Id, 'bad');
  assert.equal(result.Failed![0]!.Code, 'ReceiptHandleIsInvalid');
  assert.equal(result.Failed![0]!.SenderFault, true);
  assert.deepEqual(await receive(t.sqs, url), []);
});

// "ChangeMessageVisibilityBatch" (…/API_ChangeMessageVisibilityBatch.html): each entry's result is
// reported on its own; a valid entry takes effect.
queryScenario('ChangeMessageVisibilityBatch changes the good entries and reports a bad handle as a failed entry', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
  const [message] = await receive(t.sqs, url);
  const result = await t.sqs.send(new ChangeMessageVisibilityBatchCommand({
    QueueUrl: url,
    Entries: [{ Id: 'ok', ReceiptHandle: message!.ReceiptHandle!, VisibilityTimeout: 0 }, { Id: 'bad', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 }],
  }));
  assert.deepEqual(result.Successful?.map((s) => s.Id), ['ok']);
  assert.deepEqual(result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]), [['bad', 'ReceiptHandleIsInvalid', true]]);
  assert.deepEqual((await receive(t.sqs, url)).map((m) => m.MessageId), [message!.MessageId]);
});

// ---- FIFO -----------------------------------------------------------------------------------------

// "SendMessage": on a FIFO queue MessageGroupId is required, MessageDeduplicationId dedupes, and
// the answer has a SequenceNumber; "ReceiveMessage" returns MessageGroupId, MessageDeduplicationId
// and SequenceNumber as system attributes.
queryScenario('FIFO SendMessage with group and deduplication ids answers a SequenceNumber; receive returns the ids', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true });
  const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' }));
  assert.match(sent.SequenceNumber ?? '', /^\d+$/);
  const [message] = await receive(t.sqs, url);
  assert.equal(message!.Attributes!['MessageGroupId'], 'g1');
  assert.equal(message!.Attributes!['MessageDeduplicationId'], 'd1');
  assert.equal(message!.Attributes!['SequenceNumber'], sent.SequenceNumber);
});

// "SendMessage": "If a message with a particular MessageDeduplicationId is sent successfully, any
// messages sent with the same MessageDeduplicationId are accepted successfully but aren't
// delivered during the 5-minute deduplication interval."
queryScenario('FIFO SendMessage with a repeated MessageDeduplicationId is accepted and not delivered twice', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true });
  await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
  const again = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
  assert.equal(again.MD5OfMessageBody, md5('once'));
  assert.deepEqual((await receive(t.sqs, url)).map((m) => m.Body), ['once']);
});

// "SendMessage": MessageGroupId "is required for FIFO queues"; without it, MissingParameter.
queryScenario('FIFO SendMessage without MessageGroupId is MissingParameter', { moto: true }, async (t) => {
  const url = await t.queue({ fifo: true, attributes: { ContentBasedDeduplication: 'true' } });
  await assert.rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), queryError('MissingParameter'));
});

async function sendFifoBatch(t: QueryTarget): Promise<{ url: string; result: SendMessageBatchCommandOutput }> {
  const url = await t.queue({ fifo: true, attributes: { ContentBasedDeduplication: 'true' } });
  const result = await t.sqs.send(new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: ['1', '2', '3'].map((n) => ({ Id: `e${n}`, MessageBody: `m${n}`, MessageGroupId: 'g' })),
  }));
  return { url, result };
}

// "SendMessageBatch": on a FIFO queue, "messages within a single message group are stored in the order sent".
queryScenario('FIFO SendMessageBatch keeps the order of the entries within their group', { moto: true }, async (t) => {
  const { url, result } = await sendFifoBatch(t);
  assert.equal(result.Successful?.length, 3);
  assert.deepEqual((await receive(t.sqs, url)).map((m) => m.Body), ['m1', 'm2', 'm3']);
});

// "SendMessageBatchResultEntry" (…/API_SendMessageBatchResultEntry.html): SequenceNumber, "this
// parameter applies only to FIFO", the number SQS assigns to each message (moto leaves it out).
queryScenario('FIFO SendMessageBatch answers a SequenceNumber per entry', { moto: false }, async (t) => {
  const { result } = await sendFifoBatch(t);
  for (const entry of result.Successful!) assert.match(entry.SequenceNumber ?? '', /^\d+$/);
});

// ---- tags and permissions -------------------------------------------------------------------------

// "TagQueue" (…/API_TagQueue.html), "UntagQueue" and "ListQueueTags": Tag.N.Key/Value adds or
// overwrites tags, TagKey.N removes them.
queryScenario('TagQueue adds and overwrites tags, UntagQueue removes keys, ListQueueTags lists what is left', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a', env: 'dev', cost: 'x' } }));
  await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: 'prod' } }));
  await t.sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['cost', 'absent'] }));
  assert.deepEqual((await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'a', env: 'prod' });
});

// "ListQueueTags": a queue without tags has none.
queryScenario('ListQueueTags of a queue without tags lists none', { moto: true }, async (t) => {
  const url = await t.queue();
  const { Tags } = await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
  assert.deepEqual(Tags ?? {}, {});
});

// "AddPermission" (…/API_AddPermission.html): AWSAccountId.N and ActionName.N add a statement to
// the queue's policy under the Label; "RemovePermission" removes the statement with that Label.
queryScenario('AddPermission writes a policy statement per label; RemovePermission removes it', { moto: true }, async (t) => {
  const url = await t.queue();
  await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'senders', AWSAccountIds: ['111122223333'], Actions: ['SendMessage', 'GetQueueUrl'] }));
  const policy = JSON.parse((await attributes(t.sqs, url, ['Policy']))['Policy']!) as { Statement: Array<{ Sid: string; Effect: string; Principal: { AWS: string | string[] }; Action: string | string[]; Resource: string }> };
  const statement = policy.Statement.find((s) => s.Sid === 'senders');
  assert.ok(statement);
  assert.equal(statement.Effect, 'Allow');
  assert.deepEqual([statement.Principal.AWS].flat(), ['arn:aws:iam::111122223333:root']);
  assert.deepEqual([statement.Action].flat().sort(), ['SQS:GetQueueUrl', 'SQS:SendMessage']);
  assert.equal(statement.Resource, arnOf(t, url));
  await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'senders' }));
  const after = (await attributes(t.sqs, url, ['Policy']))['Policy'];
  assert.ok(after === undefined || !(JSON.parse(after) as { Statement: Array<{ Sid: string }> }).Statement.some((s) => s.Sid === 'senders'));
});

// "RemovePermission": the Label identifies the permission to remove; one that is not there is
// InvalidParameterValue.
queryScenario('RemovePermission of a label the policy does not have is InvalidParameterValue', { moto: true }, async (t) => {
  const url = await t.queue();
  await assert.rejects(t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'never-added' })), queryError('InvalidParameterValue'));
});

// ---- message move tasks ---------------------------------------------------------------------------

/** A DLQ holding `count` messages, and its source queue (whose RedrivePolicy names it). */
async function deadLetters(t: QueryTarget, count: number): Promise<{ source: string; dlq: string }> {
  const dlq = await t.queue();
  const source = await t.queue({ attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(t, dlq), maxReceiveCount: 1 }) } });
  for (let i = 0; i < count; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `dead ${i}` }));
  return { source, dlq };
}

// "StartMessageMoveTask" (…/API_StartMessageMoveTask.html): moves the messages of a DLQ (SourceArn)
// to DestinationArn, and answers a TaskHandle.
queryScenario('StartMessageMoveTask moves the DLQ messages to the destination and answers a TaskHandle', { moto: false }, async (t) => {
  const { source, dlq } = await deadLetters(t, 2);
  const { TaskHandle } = await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf(t, dlq), DestinationArn: arnOf(t, source) }));
  assert.ok(TaskHandle);
  assert.deepEqual((await receive(t.sqs, source)).map((m) => m.Body).sort(), ['dead 0', 'dead 1']);
  assert.deepEqual(await receive(t.sqs, dlq), []);
});

// "ListMessageMoveTasks" (…/API_ListMessageMoveTasks.html): the tasks of a source, each with
// Status, SourceArn, DestinationArn, ApproximateNumberOfMessagesMoved and StartedTimestamp ("the
// timestamp of starting the message movement task", epoch milliseconds); TaskHandle "is only
// populated for tasks that are in RUNNING status".
queryScenario('ListMessageMoveTasks reports the task: status, ARNs, messages moved and its start in epoch ms', { moto: false }, async (t) => {
  const { source, dlq } = await deadLetters(t, 3);
  const before = Date.now();
  const { TaskHandle } = await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf(t, dlq), DestinationArn: arnOf(t, source) }));
  const { Results } = await t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf(t, dlq) }));
  assert.equal(Results?.length, 1);
  const task = Results![0]!;
  assert.ok(TaskHandle);
  assert.ok(task.Status === 'RUNNING' ? task.TaskHandle === TaskHandle : task.Status === 'COMPLETED' && task.TaskHandle === undefined);
  assert.equal(task.SourceArn, arnOf(t, dlq));
  assert.equal(task.DestinationArn, arnOf(t, source));
  assert.equal(task.ApproximateNumberOfMessagesMoved, 3);
  assert.ok(task.StartedTimestamp! >= before - 1000 && task.StartedTimestamp! <= Date.now());
});

// "StartMessageMoveTask", Errors: ResourceNotFoundException, "One or more specified resources
// don't exist" (HTTP 404 in the SQS service model).
queryScenario('StartMessageMoveTask from a queue that does not exist is ResourceNotFoundException', { moto: false }, async (t) => {
  await assert.rejects(
    t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:${t.at.region}:${t.at.accountId}:query-none-such` })),
    queryError('ResourceNotFoundException', 404),
  );
});
