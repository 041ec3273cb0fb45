/**
 * EventBridge's JSON 1.1 wire (`X-Amz-Target: AWSEvents.<Action>`) under hostile input: every
 * request is answered, with a correct answer or an EventBridge error (4xx, `__type`, message:
 * "Common Errors", Amazon EventBridge API Reference,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html); the engine stays
 * up; and every entry PutEvents accepted (it got an EventId) is in the journal ("PutEvents",
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
 * Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';
import { assertAlive, send } from '../support/raw-wire.ts';
import { assertAwsJsonAnswer } from './support/aws-shape.ts';
import { anyJson, clientHeaders, field, hugeString, jsonBody, request } from './support/wire-inputs.ts';

const FILE = 'test/fuzz/eventbridge-wire.test.ts';
const BUS = 'fuzz-bus';
const RULE = 'fuzz-rule';

let fixture: EngineFixture;

before(async () => {
  fixture = await startEngine({
    setup: (e) => {
      e.createBus(BUS);
      e.createQueue('fuzz-target', {});
      e.putRule({ Name: RULE, EventBusName: BUS, EventPattern: '{"source":["fuzz"]}' });
      e.putTargets(BUS, RULE, [{ Id: 'queue', Arn: `arn:aws:sqs:${e.region}:${e.accountId}:fuzz-target` }]);
    },
  });
});
after(() => fixture?.close());

const name = fc.oneof(fc.constantFrom(BUS, RULE, 'default', 'fuzz-other', 'queue'), fc.string({ maxLength: 70 }));
const pattern = fc.oneof(
  fc.constantFrom('{"source":["fuzz"]}', '{"detail":{"n":[{"numeric":[">",0]}]}}', '{"source":[{"prefix":""}]}', '{}', '{"source":[]}'),
  anyJson.map((value) => JSON.stringify(value) ?? ''),
  fc.string(),
);
const detail = fc.oneof(anyJson.map((value) => JSON.stringify(value) ?? ''), fc.constantFrom('{"metadata":{"id":"m-1"},"data":{}}', '{', '"x"'), hugeString);
const entry = request({
  Source: field(fc.constantFrom('fuzz', 'aws.events', 'other')),
  DetailType: field(fc.constantFrom('fuzz.happened', 'x')),
  Detail: field(detail),
  EventBusName: field(name),
  Resources: field(fc.array(fc.string(), { maxLength: 3 })),
  Time: field(fc.oneof(fc.integer(), fc.double(), fc.string())),
  TraceHeader: field(fc.string()),
});
const targetArn = fc.oneof(fc.constant('arn:aws:sqs:us-east-1:000000000000:fuzz-target'), fc.constant('arn:aws:lambda:us-east-1:000000000000:function:f'), fc.string());
const target = request({
  Id: field(fc.string({ maxLength: 70 })),
  Arn: field(targetArn),
  Input: field(fc.string()),
  InputPath: field(fc.constantFrom('$.detail', '$', '$..', 'nope')),
  InputTransformer: field(request({ InputPathsMap: field(fc.dictionary(fc.string(), fc.string())), InputTemplate: field(fc.string()) })),
  RetryPolicy: field(request({ MaximumRetryAttempts: field(fc.integer()), MaximumEventAgeInSeconds: field(fc.integer()) })),
  DeadLetterConfig: field(request({ Arn: field(targetArn) })),
  SqsParameters: field(request({ MessageGroupId: field(fc.string()) })),
});

/** Each action with the members its input has (any of them may be missing or of another type). */
const INPUTS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  PutEvents: request({ Entries: field(fc.array(field(entry), { maxLength: 12 })), EndpointId: field(fc.string()) }),
  PutRule: request({ Name: field(name), EventBusName: field(name), EventPattern: field(pattern), State: field(fc.constantFrom('ENABLED', 'DISABLED', 'enabled')), Description: field(fc.string()), ScheduleExpression: field(fc.constant('rate(1 minute)')) }),
  PutTargets: request({ Rule: field(name), EventBusName: field(name), Targets: field(fc.array(field(target), { maxLength: 7 })) }),
  RemoveTargets: request({ Rule: field(name), EventBusName: field(name), Ids: field(fc.array(field(fc.string()), { maxLength: 3 })), Force: field(fc.boolean()) }),
  DeleteRule: request({ Name: field(name), EventBusName: field(name) }),
  DescribeRule: request({ Name: field(name), EventBusName: field(name) }),
  EnableRule: request({ Name: field(name), EventBusName: field(name) }),
  DisableRule: request({ Name: field(name), EventBusName: field(name) }),
  ListRules: request({ EventBusName: field(name), NamePrefix: field(fc.string()), Limit: field(fc.integer()), NextToken: field(fc.string()) }),
  ListTargetsByRule: request({ Rule: field(name), EventBusName: field(name), Limit: field(fc.integer()), NextToken: field(fc.string()) }),
  ListRuleNamesByTarget: request({ TargetArn: field(targetArn), EventBusName: field(name), Limit: field(fc.integer()), NextToken: field(fc.string()) }),
  TestEventPattern: request({ EventPattern: field(pattern), Event: field(detail) }),
  CreateEventBus: request({ Name: field(name) }),
  DeleteEventBus: request({ Name: field(fc.constantFrom('fuzz-other', 'default', 'nope')) }),
  DescribeEventBus: request({ Name: field(name) }),
  ListEventBuses: request({ NamePrefix: field(fc.string()), Limit: field(fc.integer()), NextToken: field(fc.string()) }),
  PutPermission: request({ EventBusName: field(name), Policy: field(fc.string()), StatementId: field(fc.string()), Action: field(fc.constant('events:PutEvents')), Principal: field(fc.constantFrom('*', '123456789012')), Condition: field(request({ Type: field(fc.string()), Key: field(fc.string()), Value: field(fc.string()) })) }),
  RemovePermission: request({ EventBusName: field(name), StatementId: field(fc.string()), RemoveAllPermissions: field(fc.boolean()) }),
  StartReplay: request({ ReplayName: field(fc.string()), EventSourceArn: field(fc.string()), Destination: field(request({ Arn: field(fc.string()), FilterArns: field(fc.array(field(fc.string()), { maxLength: 2 })) })), EventStartTime: field(fc.integer()), EventEndTime: field(fc.integer()) }),
  DescribeReplay: request({ ReplayName: field(fc.string()) }),
};

const call = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...Object.keys(INPUTS)).chain((action) => fc.record({ action: fc.constant(action), body: jsonBody(INPUTS[action]!) })) },
  { weight: 1, arbitrary: fc.record({ action: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'putEvents', 'PutEvents ', 'CreateArchive')), body: jsonBody(request({})) }) },
);

async function assertJournaled(eventId: string): Promise<void> {
  const answer = await send(fixture.engine.endpoint, { method: 'GET', path: `/_busline/journal?eventId=${encodeURIComponent(eventId)}` });
  const records = JSON.parse(answer.text) as { kind: string; eventId?: string }[];
  assert.ok(records.some((r) => r.kind === 'event.accepted' && r.eventId === eventId), `PutEvents accepted ${eventId} but the journal has no event.accepted for it`);
}

test('every EventBridge request is answered correctly or with an EventBridge error, the engine stays up, and every accepted entry is journaled', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(call, clientHeaders, async ({ action, body }, headers) => {
      const answer = await send(fixture.engine.endpoint, { headers: { ...headers, 'x-amz-target': `AWSEvents.${action}` }, body });
      const output = assertAwsJsonAnswer(answer);
      if (action === 'PutEvents' && answer.status === 200) {
        const entries = output['Entries'] as { EventId?: string }[];
        for (const e of entries) if (e.EventId !== undefined) await assertJournaled(e.EventId);
      }
      await assertAlive(fixture.engine.endpoint);
    }),
    300,
  );
});

test('a request with a missing, unknown or malformed X-Amz-Target gets a JSON error naming what the endpoint serves, and the engine stays up', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(fc.option(fc.oneof(fc.string(), fc.constantFrom('AWSEvents', 'AWSEvents.', '.PutEvents', 'Kinesis_20131202.PutRecord', 'AmazonSQS')), { nil: undefined }), jsonBody(request({ Entries: anyJson })), async (target, body) => {
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
      if (target !== undefined) headers['x-amz-target'] = target.replace(/[^\x20-\x7e]/g, '');
      assertAwsJsonAnswer(await send(fixture.engine.endpoint, { headers, body }));
      await assertAlive(fixture.engine.endpoint);
    }),
    100,
  );
});
