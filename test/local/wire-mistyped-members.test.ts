/**
 * Members of the wrong JSON type, as a client that skips an SDK's checks may send them, are
 * refused with the service's own error; before, each of these answered 500 (or, for a target, failed
 * later inside a delivery). Found by the wire fuzzers (test/fuzz/).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';
import { send } from '../support/raw-wire.ts';

let f: EngineFixture;
let queueUrl: string;

before(async () => {
  f = await startEngine({
    setup(e) {
      e.createBus('typed');
      e.createQueue('typed-q', {});
      e.putRule({ Name: 'typed-rule', EventBusName: 'typed', EventPattern: '{"source":["typed"]}' });
    },
  });
  queueUrl = `${f.engine.endpoint}/${f.engine.accountId}/typed-q`;
});
after(() => f?.close());

async function call(target: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const version = target.startsWith('AmazonSQS.') ? '1.0' : '1.1';
  const answer = await send(f.engine.endpoint, { headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target }, body: JSON.stringify(input) });
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown> };
}

const entry = { Source: 'typed', DetailType: 'typed.happened', Detail: '{}', EventBusName: 'typed' };

// "PutEventsRequestEntry", Amazon EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html):
// EventBusName and TraceHeader are strings, Resources an array of strings; a failed entry gets an
// ErrorCode in its slot and the others go on ("PutEvents", …/API_PutEvents.html).
for (const [member, value] of [['EventBusName', false], ['Resources', 'arn:aws:s3:::one'], ['Resources', [1]], ['TraceHeader', { root: 1 }]] as const) {
  test(`a PutEvents entry whose ${member} is ${JSON.stringify(value)} fails in its slot with InvalidArgument, and the other entries are accepted`, async () => {
    const { status, body } = await call('AWSEvents.PutEvents', { Entries: [{ ...entry, [member]: value }, entry] });
    assert.equal(status, 200);
    const [bad, good] = body['Entries'] as { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
    assert.equal(bad!.ErrorCode, 'InvalidArgument');
    assert.match(bad!.ErrorMessage!, new RegExp(member));
    assert.ok(good!.EventId);
    assert.equal(body['FailedEntryCount'], 1);
  });
}

// "Target", Amazon EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html): Id and Arn are
// strings, Input and InputPath strings, DeadLetterConfig { Arn: string }, RetryPolicy numbers.
for (const [what, target] of [
  ['null', null],
  ['an Arn that is a number', { Id: 't', Arn: 42 }],
  ['an Input that is a number', { Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:typed-q', Input: 5 }],
  ['a DeadLetterConfig.Arn that is an object', { Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:typed-q', DeadLetterConfig: { Arn: {} } }],
  ['a RetryPolicy that is a string', { Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:typed-q', RetryPolicy: '3' }],
] as const) {
  test(`PutTargets with a target that is ${what} is refused with ValidationException, and the rule keeps its targets`, async () => {
    const { status, body } = await call('AWSEvents.PutTargets', { Rule: 'typed-rule', EventBusName: 'typed', Targets: [target] });
    assert.equal(status, 400);
    assert.equal(body['__type'], 'ValidationException');
    const listed = await call('AWSEvents.ListTargetsByRule', { Rule: 'typed-rule', EventBusName: 'typed' });
    assert.deepEqual(listed.body['Targets'], []);
  });
}

test('a PutTargets target member sent as null is left out, as if absent', async () => {
  const arn = 'arn:aws:sqs:us-east-1:000000000000:typed-q';
  const { status } = await call('AWSEvents.PutTargets', { Rule: 'typed-rule', EventBusName: 'typed', Targets: [{ Id: 'nulls', Arn: arn, Input: null, DeadLetterConfig: null }] });
  assert.equal(status, 200);
  const listed = await call('AWSEvents.ListTargetsByRule', { Rule: 'typed-rule', EventBusName: 'typed' });
  assert.deepEqual(listed.body['Targets'], [{ Id: 'nulls', Arn: arn }]);
  await call('AWSEvents.RemoveTargets', { Rule: 'typed-rule', EventBusName: 'typed', Ids: ['nulls'] });
});

// "StartReplay" / "ReplayDestination", Amazon EventBridge API Reference
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ReplayDestination.html): FilterArns is a list of rule ARNs.
test('StartReplay whose Destination.FilterArns holds something other than strings is refused with ValidationException', async () => {
  const { status, body } = await call('AWSEvents.StartReplay', {
    ReplayName: 'typed-replay',
    EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/none',
    Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/typed', FilterArns: [{ rule: 'x' }] },
    EventStartTime: 0,
    EventEndTime: 1,
  });
  assert.equal(status, 400);
  assert.equal(body['__type'], 'ValidationException');
  assert.match(String(body['message']), /filterArns/);
});

// "GetQueueAttributes" and "ReceiveMessage", Amazon SQS API Reference
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html,
// …/API_ReceiveMessage.html): AttributeNames, MessageSystemAttributeNames and MessageAttributeNames
// are lists of strings; InvalidParameterValue is the error "a parameter's value is invalid".
test('GetQueueAttributes whose AttributeNames holds a non-string is refused with InvalidParameterValue', async () => {
  const { status, body } = await call('AmazonSQS.GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: [{}] });
  assert.equal(status, 400);
  assert.equal(body['__type'], 'com.amazonaws.sqs#InvalidParameterValue');
  assert.match(String(body['message']), /AttributeNames/);
});

test('ReceiveMessage whose MessageAttributeNames holds a non-string is refused before it takes any message', async () => {
  await call('AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: 'kept', MessageAttributes: { a: { DataType: 'String', StringValue: 'x' } } });
  const refused = await call('AmazonSQS.ReceiveMessage', { QueueUrl: queueUrl, MessageAttributeNames: [7] });
  assert.equal(refused.status, 400);
  assert.equal(refused.body['__type'], 'com.amazonaws.sqs#InvalidParameterValue');
  const received = await call('AmazonSQS.ReceiveMessage', { QueueUrl: queueUrl, MessageAttributeNames: ['All'] });
  const messages = received.body['Messages'] as { Body: string }[];
  assert.deepEqual(messages.map((m) => m.Body), ['kept']);
});
