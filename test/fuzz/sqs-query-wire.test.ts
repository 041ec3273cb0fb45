/**
 * SQS's query protocol (form-encoded `Action=…` in, XML out) under hostile input: every request
 * is answered, with an `<ActionResponse>` or an SQS `<ErrorResponse>` (4xx, Type Sender, a Code
 * and a Message: "Amazon SQS error responses", SQS developer guide,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html),
 * in XML a parser accepts; the engine stays up; and a message SendMessage accepted comes back
 * from ReceiveMessage with its body. Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EngineFixture } from '../local/support/engine-fixture.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';
import { assertAlive, send } from '../support/raw-wire.ts';
import { assertSqsQueryAnswer } from './support/aws-shape.ts';
import { clientHeaders, hugeString } from './support/wire-inputs.ts';
import { attributeName, messageBody, startSqsFuzzEngine } from './support/sqs-inputs.ts';

const FILE = 'test/fuzz/sqs-query-wire.test.ts';
const ACTIONS = [
  'CreateQueue', 'DeleteQueue', 'GetQueueUrl', 'ListQueues', 'ListDeadLetterSourceQueues', 'GetQueueAttributes', 'SetQueueAttributes', 'TagQueue', 'UntagQueue',
  'ListQueueTags', 'AddPermission', 'RemovePermission', 'SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch',
  'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'PurgeQueue', 'StartMessageMoveTask', 'ListMessageMoveTasks', 'CancelMessageMoveTask',
];

let fixture: EngineFixture;
let url: (name: string) => string;

before(async () => {
  ({ fixture, url } = await startSqsFuzzEngine());
});
after(() => fixture?.close());

const index = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('1', '2') }, { weight: 1, arbitrary: fc.constantFrom('0', '01', '-1', 'x', '', '99999999999999999999') });
/** A parameter name: a member, list item, map entry or batch entry member, well or badly formed. */
const parameterName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('QueueUrl', 'QueueName', 'MessageBody', 'DelaySeconds', 'MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'ReceiptHandle', 'Label', 'MaxResults', 'NextToken', 'QueueNamePrefix', 'SourceArn', 'TaskHandle', 'MessageGroupId', 'MessageDeduplicationId') },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('AttributeName', 'MessageAttributeName', 'MessageSystemAttributeName', 'TagKey', 'AWSAccountId', 'ActionName'), index).map(([name, n]) => `${name}.${n}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('Attribute', 'Tag', 'MessageAttribute', 'MessageSystemAttribute'), index, fc.constantFrom('Name', 'Key', 'Value', 'Value.DataType', 'Value.StringValue', 'Value.BinaryValue', 'Value.StringListValue.1', 'Other')).map(([name, n, member]) => `${name}.${n}.${member}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry'), index, fc.constantFrom('Id', 'MessageBody', 'ReceiptHandle', 'VisibilityTimeout', 'DelaySeconds', 'MessageAttribute.1.Name', 'MessageAttribute.1.Value.DataType', 'MessageAttribute.1.Value.StringValue')).map(([name, n, member]) => `${name}.${n}.${member}`) },
  { weight: 1, arbitrary: fc.constantFrom('Version', 'Signature', 'X-Amz-Algorithm', '__proto__', '__proto__.x', 'constructor', 'Attribute', 'Attribute.1', 'a..b', '.', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const parameterValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('fuzz-q', 'fuzz-q.fifo', 'fuzz-other').map((name) => url(name)) },
  { weight: 2, arbitrary: fc.constantFrom('0', '1', '10', '-1', '21', '900', '1.5', 'All', 'String', 'Number', 'Binary', 'true', '', 'fuzz-new', 'fuzz-new.fifo', 'a', 'AQEB') },
  { weight: 2, arbitrary: attributeName },
  { weight: 2, arbitrary: messageBody },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const parameters = fc.tuple(
  fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...ACTIONS) }, { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '__proto__', 'toString', 'sendmessage', '\u0001')) }),
  fc.array(fc.tuple(parameterName, parameterValue), { maxLength: 8 }),
  /** Now and then the message body is over SQS's size limit. */
  fc.oneof({ weight: 49, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
);

/** How the parameters travel: a form body (the usual way), the query string, or both. */
const transport = fc.constantFrom('form', 'query', 'both', 'form-without-content-type');

test('every SQS query request is answered with XML, a result or a Sender error, and the engine stays up', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(parameters, transport, clientHeaders, fc.boolean(), async ([action, pairs, huge], how, headers, byPath) => {
      const params = new URLSearchParams([['Action', action], ['Version', '2012-11-05'], ...pairs]);
      // A long poll rightly waits up to 20 s for a message: the fuzzer asks for short polls only.
      if (!params.has('WaitTimeSeconds') || /^([1-9]|1\d|20)$/.test(params.get('WaitTimeSeconds')!)) params.set('WaitTimeSeconds', '0');
      // A URL holds kilobytes, not megabytes (Node refuses longer ones, 431, before the engine sees them): huge bodies go in forms.
      if (huge && how !== 'query' && how !== 'both') params.set('MessageBody', await hugeBody());
      const text = params.toString();
      const { 'content-type': _ignored, ...otherHeaders } = headers;
      const path = (byPath ? `/${fixture.engine.accountId}/fuzz-q` : '/') + (how === 'query' || how === 'both' ? `?${text}` : '');
      const body = how === 'query' ? '' : text;
      const contentType: Record<string, string> = how === 'form' || how === 'both' ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {};
      const answer = await send(fixture.engine.endpoint, { method: how === 'query' ? 'GET' : 'POST', path, headers: { ...otherHeaders, ...contentType }, body });
      assertSqsQueryAnswer(answer);
      await assertAlive(fixture.engine.endpoint);
    }),
    200,
  );
});

let hugeSample: string | undefined;
async function hugeBody(): Promise<string> {
  hugeSample ??= fc.sample(hugeString, { seed: 1, numRuns: 1 })[0]!;
  return hugeSample;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_, entity: string) =>
    entity === 'lt' ? '<' : entity === 'gt' ? '>' : entity === 'amp' ? '&' : entity === 'quot' ? '"' : entity === 'apos' ? "'" : String.fromCodePoint(entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : Number(entity.slice(1))),
  );
}

async function query(params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const answer = await send(fixture.engine.endpoint, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString() });
  return { status: answer.status, xml: assertSqsQueryAnswer(answer) };
}

test('a message SendMessage accepted over the query protocol is received with that body', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(messageBody, async (body) => {
      const sent = await query({ Action: 'SendMessage', QueueUrl: url('fuzz-lossless'), MessageBody: body });
      if (sent.status !== 200) return;
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(sent.xml)?.[1];
      assert.ok(messageId, `no MessageId in ${sent.xml}`);
      const received = await query({ Action: 'ReceiveMessage', QueueUrl: url('fuzz-lossless'), MaxNumberOfMessages: '10' });
      const messages = [...received.xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map(([, m]) => ({
        id: /<MessageId>([^<]*)<\/MessageId>/.exec(m!)?.[1],
        handle: unescapeXml(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/.exec(m!)?.[1] ?? ''),
        body: unescapeXml(/<Body>([^<]*)<\/Body>|<Body\/>/.exec(m!)?.[1] ?? ''),
      }));
      const mine = messages.find((m) => m.id === messageId);
      assert.ok(mine, `SendMessage accepted ${messageId} but ReceiveMessage did not return it: ${received.xml}`);
      // A form carries UTF-8: a lone surrogate travels as U+FFFD, what the engine then stores.
      assert.equal(mine.body, Buffer.from(body, 'utf8').toString('utf8'));
      for (const m of messages) await query({ Action: 'DeleteMessage', QueueUrl: url('fuzz-lossless'), ReceiptHandle: m.handle });
    }),
    100,
  );
});
