/**
 * What a rule target's dead-letter message says, on each path that puts one there. The rules
 * come from the EventBridge user guide, "Using dead-letter queues to process undelivered
 * events" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html): every
 * message carries RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and
 * RETRY_ATTEMPTS; errors such as a target resource that no longer exists are not retried.
 * Busline adds `busline.reason`, `busline.attempt`, `busline.firstFailedAt`, `busline.failedAt`.
 *
 * Engine only: moto_server neither retries rule targets nor dead-letters them. The engine runs on
 * a hand-moved clock, so retries and event age are decided by the test, not by wall time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../../lib/local/eventbridge/types.ts';
import { VirtualClock } from '../../lib/testing/virtual-clock.ts';
import { CLOCK_START } from './support/virtual-clock-engine.ts';
import { sleep, startEngine, type EngineFixture } from './support/engine-fixture.ts';

const START = '2026-01-01T00:00:00.000Z';
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/**
 * A function runner whose every invocation fails: as a function that is not running, or for
 * fn('deleted') as a function that does not exist (Lambda's ResourceNotFoundException).
 */
const unreachable: LambdaInvoker = {
  async invokeAsync(functionArn) {
    if (functionArn === fn('deleted')) throw Object.assign(new Error(`Function not found: ${functionArn}`), { name: 'ResourceNotFoundException' });
    throw new Error(`function ${functionArn} is not running`);
  },
};

const clock = new VirtualClock(CLOCK_START);
let f: EngineFixture;

before(async () => {
  f = await startEngine({
    clock,
    lambdaInvoker: unreachable,
    setup(e) {
      e.createBus('dl');
      for (const q of ['dlq-retries', 'dlq-age', 'dlq-invalid', 'dlq-missing', 'dlq-deleted', 'grouped.fifo']) e.createQueue(q, q.endsWith('.fifo') ? { FifoQueue: 'true' } : {});
      const rule = (name: string, targets: Parameters<typeof e.putTargets>[2]) => {
        e.putRule({ Name: name, EventBusName: 'dl', EventPattern: JSON.stringify({ 'detail-type': [name] }) });
        e.putTargets('dl', name, targets);
      };
      rule('retries', [{ Id: 'fn', Arn: fn('down'), RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: { Arn: arn('dlq-retries') } }]);
      rule('age', [{ Id: 'fn', Arn: fn('down'), RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: arn('dlq-age') } }]);
      rule('invalid', [{ Id: 'fifo', Arn: arn('grouped.fifo'), SqsParameters: { MessageGroupId: '$.detail.customer' }, DeadLetterConfig: { Arn: arn('dlq-invalid') } }]);
      rule('deleted', [{ Id: 'fn', Arn: fn('deleted'), DeadLetterConfig: { Arn: arn('dlq-deleted') } }]);
      rule('missing', [{ Id: 'gone', Arn: arn('never-created'), DeadLetterConfig: { Arn: arn('dlq-missing') } }]);
    },
  });
});
after(() => f.close());

async function publish(detailType: string): Promise<string> {
  const put = await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'dl', Source: 'dead.letters', DetailType: detailType, Detail: '{"n":1}' }] }));
  assert.equal(put.FailedEntryCount, 0);
  return put.Entries![0]!.EventId!;
}

/** The dead letter of `queue`, moving the engine clock a minute at a time until it is there. */
async function deadLetter(queue: string): Promise<Message> {
  for (let i = 0; i < 200; i++) {
    const { Messages = [] } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.engine.queue(queue).url, MessageAttributeNames: ['All'] }));
    if (Messages[0]) return Messages[0];
    await clock.advance(60_000);
    await sleep(10);
  }
  throw new Error(`no dead letter in ${queue}`);
}

/** Waits (wall time, the engine clock standing still) until the event's first attempt failed. */
async function firstFailure(eventId: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await f.engine.journalQuery({ eventId, kinds: ['target.failed'] })).length > 0) return;
    await sleep(10);
  }
  throw new Error(`no failed attempt for ${eventId}`);
}

function attributes(message: Message): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
}

test('a target whose retries run out is dead-lettered with MaximumRetryAttempts as the exhausted condition and the retries made', async () => {
  await publish('retries');
  const dead = await deadLetter('dlq-retries');
  const a = attributes(dead);
  assert.equal(JSON.parse(dead.Body!).detail.n, 1);
  assert.equal(a['RULE_ARN'], 'arn:aws:events:us-east-1:000000000000:rule/dl/retries');
  assert.equal(a['TARGET_ARN'], fn('down'));
  assert.equal(a['ERROR_CODE'], 'SDK_CLIENT_ERROR');
  assert.match(a['ERROR_MESSAGE'] ?? '', /not running/);
  assert.equal(a['EXHAUSTED_RETRY_CONDITION'], 'MaximumRetryAttempts');
  assert.equal(a['RETRY_ATTEMPTS'], '2');
  assert.equal(a['busline.reason'], 'retries-exhausted');
  assert.equal(a['busline.attempt'], '3');
  assert.ok(a['busline.firstFailedAt']! < a['busline.failedAt']!, 'the first failure comes before the last');
});

test('a target still failing when the event is older than MaximumEventAgeInSeconds is dead-lettered with that condition and both failure times', async () => {
  const started = clock.now();
  await firstFailure(await publish('age'));
  const dead = await deadLetter('dlq-age');
  const a = attributes(dead);
  assert.equal(a['EXHAUSTED_RETRY_CONDITION'], 'MaximumEventAgeInSeconds');
  assert.equal(a['busline.reason'], 'max-event-age');
  assert.equal(a['busline.firstFailedAt'], new Date(started).toISOString());
  assert.ok(Date.parse(a['busline.failedAt']!) - started >= 60_000, 'given up only once the event is 60 s old');
  assert.equal(Number(a['RETRY_ATTEMPTS']), Number(a['busline.attempt']) - 1);
});

test('a request the target refuses as invalid is dead-lettered at once with INVALID_PARAMETER and no retries', async () => {
  await publish('invalid');
  const dead = await deadLetter('dlq-invalid');
  const a = attributes(dead);
  assert.equal(a['ERROR_CODE'], 'INVALID_PARAMETER');
  assert.match(a['ERROR_MESSAGE'] ?? '', /MessageGroupId/);
  assert.equal(a['RETRY_ATTEMPTS'], '0');
  assert.equal(a['EXHAUSTED_RETRY_CONDITION'], undefined);
  assert.equal(a['busline.reason'], 'permanent-error');
  assert.equal(a['busline.firstFailedAt'], a['busline.failedAt']);
});

test('a target queue that does not exist is dead-lettered at once with NO_RESOURCE, not retried', async () => {
  const eventId = await publish('missing');
  const dead = await deadLetter('dlq-missing');
  const a = attributes(dead);
  assert.equal(a['ERROR_CODE'], 'NO_RESOURCE');
  assert.equal(a['TARGET_ARN'], arn('never-created'));
  assert.equal(a['RETRY_ATTEMPTS'], '0');
  assert.equal(a['busline.reason'], 'target-missing');
  const failures = (await f.engine.journalQuery({ eventId, kinds: ['target.failed'] })) as Array<{ final?: boolean; deadLetter?: string }>;
  assert.deepEqual(failures.map((r) => [r.final, r.deadLetter]), [[true, arn('dlq-missing')]]);
});

test('a target function that does not exist is dead-lettered at its first attempt with NO_RESOURCE', async () => {
  await publish('deleted');
  const a = attributes(await deadLetter('dlq-deleted'));
  assert.equal(a['ERROR_CODE'], 'NO_RESOURCE');
  assert.equal(a['TARGET_ARN'], fn('deleted'));
  assert.equal(a['busline.attempt'], '1');
  assert.equal(a['busline.reason'], 'target-missing');
});
