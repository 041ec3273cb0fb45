/**
 * The SQS query decoder (lib/local/wire/sqs-query-decode.ts): form parameters → the input the JSON
 * actions take. Parameter shapes from the query samples of the SQS API reference
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/, e.g. API_SendMessageBatch.html:
 * SendMessageBatchRequestEntry.1.Id, …; API_CreateQueue.html: Attribute.1.Name/Value, Tag.1.Key/Value)
 * and "Common Errors" (InvalidQueryParameter, MissingParameter). Parameters come from any client,
 * so the decoder is also run on random parameter sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSqsQuery } from '../../lib/local/wire/sqs-query-decode.ts';
import { WireError } from '../../lib/local/wire/protocol.ts';
import { SqsError } from '../../lib/local/sqs/errors.ts';

const decode = (action: string, params: Record<string, string> | Array<[string, string]>, pathQueueUrl?: string) =>
  decodeSqsQuery(action, new URLSearchParams(params), pathQueueUrl);

const rejectedAs = (code: string) => (error: unknown): boolean =>
  (error instanceof WireError && error.headers['x-amzn-query-error'] === `${code};Sender`) || (error instanceof SqsError && error.code === code);

test('list members <Name>.N become a list in the order of N, numerically (2 before 10)', () => {
  const input = decode('GetQueueAttributes', [['AttributeName.10', 'c'], ['AttributeName.2', 'b'], ['AttributeName.1', 'a']]);
  assert.deepEqual(input['AttributeNames'], ['a', 'b', 'c']);
});

test('Attribute.N.Name/Value become the Attributes map; Tag.N.Key/Value the Tags map', () => {
  const input = decode('TagQueue', {
    'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '40', 'Attribute.2.Name': 'RedrivePolicy', 'Attribute.2.Value': '{"maxReceiveCount":3}',
    'Tag.1.Key': 'team', 'Tag.1.Value': 'platform',
  });
  assert.deepEqual(input['Attributes'], { VisibilityTimeout: '40', RedrivePolicy: '{"maxReceiveCount":3}' });
  assert.deepEqual(input['Tags'], { team: 'platform' });
});

test("CreateQueue's Tag.N parameters become its JSON member `tags`", () => {
  assert.deepEqual(decode('CreateQueue', { QueueName: 'q', 'Tag.1.Key': 'a', 'Tag.1.Value': 'b' }), { QueueName: 'q', tags: { a: 'b' } });
});

test('MessageAttribute.N.Value.* become {DataType, StringValue | BinaryValue}, the binary value staying base64', () => {
  const input = decode('SendMessage', {
    MessageBody: 'x',
    'MessageAttribute.1.Name': 's', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'v',
    'MessageAttribute.2.Name': 'b', 'MessageAttribute.2.Value.DataType': 'Binary', 'MessageAttribute.2.Value.BinaryValue': 'AP8=',
  });
  assert.deepEqual(input['MessageAttributes'], { s: { DataType: 'String', StringValue: 'v' }, b: { DataType: 'Binary', BinaryValue: 'AP8=' } });
});

test('batch entries <Entry>.N.* become Entries, each decoded as an input of its own', () => {
  const input = decode('SendMessageBatch', {
    QueueUrl: 'u',
    'SendMessageBatchRequestEntry.2.Id': 'second', 'SendMessageBatchRequestEntry.2.MessageBody': 'b', 'SendMessageBatchRequestEntry.2.DelaySeconds': '5',
    'SendMessageBatchRequestEntry.1.Id': 'first', 'SendMessageBatchRequestEntry.1.MessageBody': 'a',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'k', 'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'Number',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': '7',
  });
  assert.deepEqual(input['Entries'], [
    { Id: 'first', MessageBody: 'a', MessageAttributes: { k: { DataType: 'Number', StringValue: '7' } } },
    { Id: 'second', MessageBody: 'b', DelaySeconds: 5 },
  ]);
});

test('integer members become numbers; a value that is not an integer stays text for the action to refuse', () => {
  assert.deepEqual(decode('ReceiveMessage', { MaxNumberOfMessages: '10', WaitTimeSeconds: 'soon', ReceiveRequestAttemptId: '12' }), {
    MaxNumberOfMessages: 10, WaitTimeSeconds: 'soon', ReceiveRequestAttemptId: '12',
  });
});

test("the protocol's own parameters (Action, Version, signature v2 and X-Amz-*) are not input members", () => {
  const input = decode('ListQueues', { Action: 'ListQueues', Version: '2012-11-05', AWSAccessKeyId: 'k', Signature: 's', SignatureVersion: '2', 'X-Amz-Date': 'd', QueueNamePrefix: 'p' });
  assert.deepEqual(input, { QueueNamePrefix: 'p' });
});

test('the queue URL of the request path is the QueueUrl when the parameters have none', () => {
  assert.equal(decode('PurgeQueue', {}, 'http://h/1/q')['QueueUrl'], 'http://h/1/q');
  assert.equal(decode('PurgeQueue', { QueueUrl: 'http://h/1/other' }, 'http://h/1/q')['QueueUrl'], 'http://h/1/other');
});

test('a member number that is not 1, 2, … is InvalidQueryParameter', () => {
  for (const name of ['AttributeName.0', 'AttributeName.x', 'Attribute.01.Name', 'SendMessageBatchRequestEntry.-1.Id']) {
    assert.throws(() => decode('SendMessageBatch', { [name]: 'v' }), rejectedAs('InvalidQueryParameter'), name);
  }
});

test('a parameter that is both a value and a structure is InvalidQueryParameter', () => {
  assert.throws(() => decode('SetQueueAttributes', [['Attribute', 'x'], ['Attribute.1.Name', 'y']]), rejectedAs('InvalidQueryParameter'));
  assert.throws(() => decode('SetQueueAttributes', [['Attribute.1.Name', 'y'], ['Attribute', 'x']]), rejectedAs('InvalidQueryParameter'));
});

test('a map entry without its key (Attribute.1.Value alone) is MissingParameter naming Attribute.1.Name', () => {
  assert.throws(() => decode('SetQueueAttributes', { 'Attribute.1.Value': '40' }), (error: unknown) => error instanceof SqsError && error.code === 'MissingParameter' && /Attribute\.1\.Name/.test(error.message));
});

test('a map entry without its value (Attribute.1.Name alone) is MissingParameter naming Attribute.1.Value', () => {
  assert.throws(() => decode('SetQueueAttributes', { 'Attribute.1.Name': 'VisibilityTimeout' }), (error: unknown) => error instanceof SqsError && error.code === 'MissingParameter' && /Attribute\.1\.Value/.test(error.message));
});

test('parameter names such as __proto__ are plain names: nothing is polluted and the value is kept', () => {
  const input = decode('SetQueueAttributes', { '__proto__.polluted': 'yes', 'Attribute.1.Name': '__proto__', 'Attribute.1.Value': 'v', constructor: 'c' });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(input), Object.prototype);
  assert.deepEqual(Object.keys(input['Attributes'] as object), ['__proto__']);
  assert.equal(Object.getOwnPropertyDescriptor(input['Attributes'], '__proto__')?.value, 'v');
  assert.equal(input['constructor'], 'c');
});

test('random parameter sets decode to an input or are refused with a query error, never anything else', () => {
  // A fixed-seed generator: the same 3000 parameter sets on every run.
  let seed = 0x5eed;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const segments = ['Attribute', 'AttributeName', 'MessageAttribute', 'Tag', 'TagKey', 'SendMessageBatchRequestEntry', 'Name', 'Key', 'Value', 'DataType', 'StringValue', 'Id', 'DelaySeconds', '1', '2', '10', '0', 'x', '', '__proto__', 'constructor'];
  for (let run = 0; run < 3000; run++) {
    const params: Array<[string, string]> = [];
    for (let p = next(6); p >= 0; p--) {
      const name = Array.from({ length: 1 + next(5) }, () => segments[next(segments.length)]!).join('.');
      params.push([name, String(next(100))]);
    }
    try {
      const input = decode('SendMessageBatch', params);
      assert.equal(typeof input, 'object');
    } catch (error) {
      assert.ok(error instanceof WireError || error instanceof SqsError, `${JSON.stringify(params)} threw ${String(error)}`);
    }
  }
  assert.equal(({} as Record<string, unknown>)['1'], undefined);
});
