/**
 * SQS's JSON 1.0 wire (`X-Amz-Target: AmazonSQS.<Action>`) under hostile input: every request is
 * answered, with a correct answer or an SQS error (4xx, `__type` com.amazonaws.sqs#…, a message
 * and the `x-amzn-query-error` header: "Amazon SQS error responses", SQS developer guide,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html);
 * the engine stays up; and a message SendMessage accepted comes back from ReceiveMessage with the
 * body it was sent with ("SendMessage", SQS API Reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EngineFixture } from '../local/support/engine-fixture.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';
import { assertAlive, send } from '../support/raw-wire.ts';
import { assertAwsJsonAnswer } from './support/aws-shape.ts';
import { anyJson, clientHeaders, field, hugeString, jsonBody, request } from './support/wire-inputs.ts';
import { attributeName, messageAttributes, messageBody, queueAttributes, startSqsFuzzEngine } from './support/sqs-inputs.ts';

const FILE = 'test/fuzz/sqs-json-wire.test.ts';

let fixture: EngineFixture;
let url: (name: string) => string;

before(async () => {
  ({ fixture, url } = await startSqsFuzzEngine());
});
after(() => fixture?.close());

const queueUrl = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('fuzz-q', 'fuzz-q.fifo', 'fuzz-dlq', 'fuzz-other').map((name) => url(name)) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:1/000000000000/fuzz-q', 'fuzz-q', '/000000000000/fuzz-q', 'arn:aws:sqs:us-east-1:000000000000:fuzz-q') },
);
const queueArn = fc.oneof(fc.constantFrom('arn:aws:sqs:us-east-1:000000000000:fuzz-dlq', 'arn:aws:sqs:us-east-1:000000000000:fuzz-q'), fc.string());
const int = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.integer(), fc.double());
const names = fc.array(field(attributeName), { maxLength: 4 });
const sendFields = {
  MessageBody: field(messageBody),
  DelaySeconds: field(int),
  MessageAttributes: field(messageAttributes),
  MessageSystemAttributes: field(fc.constant({ AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-00000000-000000000000000000000000' } })),
  MessageGroupId: field(fc.string({ maxLength: 130 })),
  MessageDeduplicationId: field(fc.string({ maxLength: 130 })),
};
const entries = <T>(entry: fc.Arbitrary<T>) => field(fc.array(field(entry), { maxLength: 11 }));
const id = field(fc.oneof(fc.constantFrom('a', 'b', 'a'), fc.string({ maxLength: 90 })));
const receipt = field(fc.oneof(fc.string(), fc.constant('AQEB')));

/** Each action with the members its input has (any may be missing or of another type). */
const INPUTS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  CreateQueue: request({ QueueName: field(fc.oneof(fc.constantFrom('fuzz-new', 'fuzz-new.fifo', 'fuzz-q', ''), fc.string({ maxLength: 90 }))), Attributes: field(queueAttributes), tags: field(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })) }),
  DeleteQueue: request({ QueueUrl: field(fc.constantFrom('fuzz-new', 'fuzz-new.fifo').map((name) => url(name))) }),
  GetQueueUrl: request({ QueueName: field(fc.oneof(fc.constantFrom('fuzz-q', 'fuzz-q.fifo'), fc.string())), QueueOwnerAWSAccountId: field(fc.string()) }),
  ListQueues: request({ QueueNamePrefix: field(fc.string()), MaxResults: field(int), NextToken: field(fc.string()) }),
  ListDeadLetterSourceQueues: request({ QueueUrl: queueUrl, MaxResults: field(int), NextToken: field(fc.string()) }),
  GetQueueAttributes: request({ QueueUrl: queueUrl, AttributeNames: field(names) }),
  SetQueueAttributes: request({ QueueUrl: queueUrl, Attributes: field(queueAttributes) }),
  TagQueue: request({ QueueUrl: queueUrl, Tags: field(fc.dictionary(fc.string(), anyJson, { maxKeys: 3 })) }),
  UntagQueue: request({ QueueUrl: queueUrl, TagKeys: field(fc.array(field(fc.string()), { maxLength: 3 })) }),
  ListQueueTags: request({ QueueUrl: queueUrl }),
  AddPermission: request({ QueueUrl: queueUrl, Label: field(fc.string()), AWSAccountIds: field(fc.array(field(fc.constant('123456789012')))), Actions: field(fc.array(field(fc.constantFrom('SendMessage', '*', 'Nope')))) }),
  RemovePermission: request({ QueueUrl: queueUrl, Label: field(fc.string()) }),
  SendMessage: request({ QueueUrl: queueUrl, ...sendFields }),
  SendMessageBatch: request({ QueueUrl: queueUrl, Entries: entries(request({ Id: id, ...sendFields })) }),
  ReceiveMessage: request({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: field(int),
    VisibilityTimeout: field(int),
    WaitTimeSeconds: field(fc.constantFrom(0, 1, -1, 21, 0.5)),
    AttributeNames: field(names),
    MessageSystemAttributeNames: field(names),
    MessageAttributeNames: field(fc.array(field(fc.constantFrom('All', '.*', 'a', 'a.*', '')), { maxLength: 3 })),
    ReceiveRequestAttemptId: field(fc.string()),
  }),
  DeleteMessage: request({ QueueUrl: queueUrl, ReceiptHandle: receipt }),
  DeleteMessageBatch: request({ QueueUrl: queueUrl, Entries: entries(request({ Id: id, ReceiptHandle: receipt })) }),
  ChangeMessageVisibility: request({ QueueUrl: queueUrl, ReceiptHandle: receipt, VisibilityTimeout: field(int) }),
  ChangeMessageVisibilityBatch: request({ QueueUrl: queueUrl, Entries: entries(request({ Id: id, ReceiptHandle: receipt, VisibilityTimeout: field(int) })) }),
  PurgeQueue: request({ QueueUrl: queueUrl }),
  StartMessageMoveTask: request({ SourceArn: field(queueArn), DestinationArn: field(queueArn), MaxNumberOfMessagesPerSecond: field(int) }),
  ListMessageMoveTasks: request({ SourceArn: field(queueArn), MaxResults: field(int) }),
  CancelMessageMoveTask: request({ TaskHandle: field(fc.string()) }),
};

const call = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...Object.keys(INPUTS)).chain((action) => fc.record({ action: fc.constant(action), body: jsonBody(INPUTS[action]!) })) },
  { weight: 1, arbitrary: fc.record({ action: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toString', 'sendMessage', 'CreateQueue ')), body: jsonBody(request({})) }) },
);

test('every SQS JSON request is answered correctly or with an SQS error, and the engine stays up', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(call, clientHeaders, async ({ action, body }, headers) => {
      const answer = await send(fixture.engine.endpoint, { headers: { ...headers, 'x-amz-target': `AmazonSQS.${action}` }, body });
      assertAwsJsonAnswer(answer, { queryErrorHeader: true });
      await assertAlive(fixture.engine.endpoint);
    }),
    300,
  );
});

async function sqs(action: string, input: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await send(fixture.engine.endpoint, { headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, body: JSON.stringify(input) });
  return { status: answer.status, body: assertAwsJsonAnswer(answer, { queryErrorHeader: true }) };
}

test('a message SendMessage accepted, whatever its body and attributes, is received with that body', async () => {
  const queue = () => url('fuzz-lossless');
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: messageBody }, { weight: 1, arbitrary: hugeString }), fc.option(messageAttributes, { nil: undefined }), async (body, attributes) => {
      const sent = await sqs('SendMessage', { QueueUrl: queue(), MessageBody: body, ...(attributes !== undefined && { MessageAttributes: attributes }) });
      if (sent.status !== 200) return;
      const messageId = sent.body['MessageId'];
      const received = await sqs('ReceiveMessage', { QueueUrl: queue(), MaxNumberOfMessages: 10 });
      const messages = (received.body['Messages'] ?? []) as { MessageId: string; Body: string; ReceiptHandle: string }[];
      const mine = messages.find((m) => m.MessageId === messageId);
      assert.ok(mine, `SendMessage accepted ${String(messageId)} but ReceiveMessage did not return it`);
      assert.equal(mine.Body, body);
      for (const m of messages) await sqs('DeleteMessage', { QueueUrl: queue(), ReceiptHandle: m.ReceiptHandle });
    }),
    100,
  );
});
