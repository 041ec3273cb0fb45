/**
 * EventBridge routing of the local engine, exercised with the AWS SDK v3 clients over the wire.
 */
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  TestEventPatternCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { PurgeQueueCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { startEngine, sleep, type EngineFixture } from './support/engine-fixture.ts';
import type { LambdaInvoker } from '../../lib/local/eventbridge/types.ts';

/** A function runner for rule → Lambda targets: records payloads, fails while `failing` says so. */
class RecordingInvoker implements LambdaInvoker {
  readonly calls: Array<{ functionArn: string; payload: unknown; attempt: number }> = [];
  failing = new Set<string>();
  async invokeAsync(functionArn: string, payload: unknown, context: { attempt: number }): Promise<void> {
    this.calls.push({ functionArn, payload, attempt: context.attempt });
    if (this.failing.has(functionArn)) throw new Error(`function ${functionArn} is not running`);
  }
}

const invoker = new RecordingInvoker();
let f: EngineFixture;
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

before(async () => {
  f = await startEngine({
    lambdaInvoker: invoker,
    setup(e) {
      e.createBus('orders');
      for (const q of ['placed', 'transformed', 'path', 'constant', 'ordered.fifo', 'target-dlq', 'unmatched']) {
        e.createQueue(q, q.endsWith('.fifo') ? { FifoQueue: 'true' } : {});
      }
      e.putRule({ Name: 'placed', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }) });
      e.putTargets('orders', 'placed', [
        { Id: 'raw', Arn: arn('placed') },
        { Id: 'transformed', Arn: arn('transformed'), InputTransformer: { InputPathsMap: { id: '$.detail.data.orderId', total: '$.detail.data.total' }, InputTemplate: '{"order": <id>, "text": "order <id> costs <total>", "total": <total>}' } },
        { Id: 'path', Arn: arn('path'), InputPath: '$.detail.data' },
        { Id: 'constant', Arn: arn('constant'), Input: '{"ping":true}' },
        { Id: 'ordered', Arn: arn('ordered.fifo'), SqsParameters: { MessageGroupId: '$.detail.data.customerId' } },
      ]);
      e.putRule({ Name: 'big-orders', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'], detail: { data: { total: [{ numeric: ['>', 1000] }] } } }) });
      e.putTargets('orders', 'big-orders', [{ Id: 'q', Arn: arn('unmatched') }]);
      e.putRule({ Name: 'grouped', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['Grouped'] }) });
      e.putTargets('orders', 'grouped', [{ Id: 'fifo', Arn: arn('ordered.fifo'), SqsParameters: { MessageGroupId: '$.detail.customerId' }, DeadLetterConfig: { Arn: arn('target-dlq') } }]);
      e.putRule({ Name: 'to-function', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['Shipped'] }) });
      e.putTargets('orders', 'to-function', [{ Id: 'fn', Arn: fn('notify') }]);
      e.putRule({ Name: 'to-broken-function', EventBusName: 'orders', EventPattern: JSON.stringify({ 'detail-type': ['Broken'] }) });
      e.putTargets('orders', 'to-broken-function', [{ Id: 'fn', Arn: fn('broken'), RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: arn('target-dlq') } }]);
    },
  });
});
after(() => f.close());
beforeEach(async () => {
  for (const q of f.engine.listQueues()) await f.sqs.send(new PurgeQueueCommand({ QueueUrl: q.url }));
});

async function drain(queue: string, wait = 0): Promise<Message[]> {
  const { Messages } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.engine.queue(queue).url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
  return Messages ?? [];
}

function order(orderId: string, customerId: string, total: number, correlationId = `corr-${orderId}`) {
  return { EventBusName: 'orders', Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ metadata: { id: orderId, correlationId }, data: { orderId, customerId, total } }) };
}

test('an accepted event reaches the queue of every matching rule target, as the EventBridge event', async () => {
  const result = await f.events.send(new PutEventsCommand({ Entries: [order('o-1', 'c-1', 25)] }));
  assert.equal(result.FailedEntryCount, 0);
  const [m] = await drain('placed');
  const event = JSON.parse(m!.Body!);
  assert.equal(event.id, result.Entries![0]!.EventId);
  assert.equal(event['detail-type'], 'OrderPlaced');
  assert.equal(event.source, 'shop.orders');
  assert.deepEqual(event.detail.data, { orderId: 'o-1', customerId: 'c-1', total: 25 });
  assert.equal((await drain('unmatched')).length, 0);
});

test('a pretty-printed Detail is delivered as the same JSON and stays one record in the archive', async () => {
  const detail = JSON.stringify({ metadata: { correlationId: 'pretty-1' }, data: { orderId: 'p-1', customerId: 'c', total: 3 } }, null, 2);
  const from = new Date(Date.now() - 1000);
  await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: detail }] }));
  assert.deepEqual(JSON.parse((await drain('placed'))[0]!.Body!).detail, JSON.parse(detail));
  const replay = await f.engine.replay({ busName: 'orders', from, to: new Date(Date.now() + 1000), ruleNames: ['placed'], filter: (a) => (a.event.detail as { data: { orderId: string } }).data.orderId === 'p-1' });
  assert.equal(replay.eventCount, 1);
});

test('InputTransformer, InputPath and Input shape what a target receives', async () => {
  await f.events.send(new PutEventsCommand({ Entries: [order('o-2', 'c-1', 30)] }));
  assert.deepEqual(JSON.parse((await drain('transformed'))[0]!.Body!), { order: 'o-2', text: 'order o-2 costs 30', total: 30 });
  assert.deepEqual(JSON.parse((await drain('path'))[0]!.Body!), { orderId: 'o-2', customerId: 'c-1', total: 30 });
  assert.deepEqual(JSON.parse((await drain('constant'))[0]!.Body!), { ping: true });
});

test('a FIFO queue target gets the MessageGroupId from the SqsParameters path and the event id as dedupe id', async () => {
  const put = await f.events.send(new PutEventsCommand({ Entries: [order('o-3', 'cust-9', 10)] }));
  const [m] = await drain('ordered.fifo');
  assert.equal(m!.Attributes!['MessageGroupId'], 'cust-9');
  assert.equal(m!.Attributes!['MessageDeduplicationId'], put.Entries![0]!.EventId);
});

test('PutEvents reports a bad entry in its slot and accepts the others', async () => {
  const result = await f.events.send(new PutEventsCommand({
    Entries: [
      order('o-4', 'c', 1),
      { EventBusName: 'orders', Source: 's', DetailType: 'OrderPlaced', Detail: '[1,2]' },
      { EventBusName: 'orders', Source: 's', Detail: '{}' },
      { EventBusName: 'nope', Source: 's', DetailType: 'x', Detail: '{}' },
    ],
  }));
  assert.equal(result.FailedEntryCount, 3);
  assert.ok(result.Entries![0]!.EventId);
  assert.equal(result.Entries![1]!.ErrorCode, 'MalformedDetail');
  assert.equal(result.Entries![2]!.ErrorCode, 'InvalidArgument');
  assert.match(result.Entries![2]!.ErrorMessage!, /DetailType/);
  assert.equal(result.Entries![3]!.ErrorCode, 'ResourceNotFoundException');
  await drain('placed');
});

test('more than 10 entries is refused as a ValidationException', async () => {
  const entries = Array.from({ length: 11 }, (_, i) => order(`x${i}`, 'c', 1));
  await assert.rejects(f.events.send(new PutEventsCommand({ Entries: entries })), (e: Error) => e.name === 'ValidationException');
});

test('a rule → Lambda target is handed to the function runner with the event as payload', async () => {
  await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Shipped', Detail: '{"data":{"orderId":"o-5"}}' }] }));
  for (let i = 0; i < 50 && !invoker.calls.some((c) => c.functionArn === fn('notify')); i++) await sleep(20);
  const call = invoker.calls.find((c) => c.functionArn === fn('notify'));
  assert.deepEqual((call?.payload as { detail: unknown }).detail, { data: { orderId: 'o-5' } });
  assert.equal(call?.attempt, 1);
});

test('a target that cannot be delivered is retried per its RetryPolicy and then sent to its DeadLetterConfig queue with the error', async () => {
  invoker.failing.add(fn('broken'));
  await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Broken', Detail: '{"n":1}' }] }));
  const [dead] = await drain('target-dlq', 10);
  assert.ok(dead, 'expected the event in the target DLQ');
  assert.equal(JSON.parse(dead.Body!).detail.n, 1);
  assert.match(dead.MessageAttributes!['ERROR_MESSAGE']!.StringValue!, /not running/);
  assert.match(dead.MessageAttributes!['RULE_ARN']!.StringValue!, /rule\/orders\/to-broken-function$/);
  assert.deepEqual(invoker.calls.filter((c) => c.functionArn === fn('broken')).map((c) => c.attempt), [1, 2]);
});

test('an event a FIFO target cannot take (no group id at the path) goes to the target DLQ at once, not retried for a day', async () => {
  await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Grouped', Detail: '{"other":1}' }] }));
  const [dead] = await drain('target-dlq', 10);
  assert.equal(JSON.parse(dead!.Body!).detail.other, 1);
  // "Using dead-letter queues to process undelivered events" (EventBridge user guide): an
  // invalid request is not retried; ERROR_CODE is one of the guide's codes.
  assert.equal(dead!.MessageAttributes!['ERROR_CODE']!.StringValue, 'INVALID_PARAMETER');
  assert.match(dead!.MessageAttributes!['ERROR_MESSAGE']!.StringValue!, /MessageGroupId/);
  assert.equal(dead!.MessageAttributes!['RETRY_ATTEMPTS']!.StringValue, '0');
});

test('TestEventPattern answers on the wire, and a bad pattern is an InvalidEventPatternException', async () => {
  const event = JSON.stringify({ id: '1', account: '1', source: 's', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'A', detail: { n: 5 } });
  assert.equal((await f.events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",3]}]}}', Event: event }))).Result, true);
  assert.equal((await f.events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":["<",3]}]}}', Event: event }))).Result, false);
  await assert.rejects(f.events.send(new TestEventPatternCommand({ EventPattern: '{"detail":5}', Event: event })), (e: Error) => e.name === 'InvalidEventPatternException');
});

test('ListEventBuses, ListRules, DescribeRule and ListTargetsByRule describe the declared flow', async () => {
  const buses = (await f.events.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name);
  assert.deepEqual(buses.sort(), ['default', 'orders']);
  const rules = (await f.events.send(new ListRulesCommand({ EventBusName: 'orders', NamePrefix: 'to-' }))).Rules!.map((r) => r.Name);
  assert.deepEqual(rules, ['to-function', 'to-broken-function']);
  assert.equal((await f.events.send(new ListRulesCommand({ EventBusName: 'orders' }))).Rules!.length, 5);
  const rule = await f.events.send(new DescribeRuleCommand({ EventBusName: 'orders', Name: 'placed' }));
  assert.equal(rule.Arn, 'arn:aws:events:us-east-1:000000000000:rule/orders/placed');
  assert.equal(rule.State, 'ENABLED');
  const targets = (await f.events.send(new ListTargetsByRuleCommand({ EventBusName: 'orders', Rule: 'placed' }))).Targets!;
  assert.deepEqual(targets.map((t) => t.Id), ['raw', 'transformed', 'path', 'constant', 'ordered']);
  await assert.rejects(f.events.send(new DescribeRuleCommand({ EventBusName: 'orders', Name: 'nope' })), (e: Error) => e.name === 'ResourceNotFoundException');
});

test('PutRule over the wire refuses an invalid pattern with AWS\'s reason', async () => {
  await assert.rejects(
    f.events.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'orders', EventPattern: '{"source":"not-an-array"}' })),
    (e: Error) => e.name === 'InvalidEventPatternException' && /Event pattern is not valid/.test(e.message),
  );
});

test('the journal records, for a correlation id, the event, the rules it matched and why the others did not match', async () => {
  await f.events.send(new PutEventsCommand({ Entries: [order('o-6', 'c', 40, 'trace-me')] }));
  const records = await f.engine.journalQuery({ correlationId: 'trace-me' });
  const kinds = records.map((r) => r.kind);
  assert.equal(kinds[0], 'event.accepted');
  assert.ok(records.some((r) => r.kind === 'rule.matched' && r.rule === 'placed'));
  const unmatched = records.find((r) => r.kind === 'rule.unmatched' && r.rule === 'big-orders');
  assert.ok(unmatched && unmatched.kind === 'rule.unmatched');
  assert.match(unmatched.reason, /total/);
  assert.ok(records.some((r) => r.kind === 'delivery.enqueued' && r.queue === 'placed'));
  await drain('placed');
  const after = await f.engine.journalQuery({ correlationId: 'trace-me', kinds: ['delivery.received'] });
  assert.ok(after.some((r) => r.kind === 'delivery.received' && r.queue === 'placed'));
});

test('journal subscribers see new records of their correlation id as they happen', async () => {
  const seen: string[] = [];
  const stop = f.engine.journalSubscribe({ correlationId: 'live-1' }, (r) => seen.push(r.kind));
  await f.events.send(new PutEventsCommand({ Entries: [order('o-7', 'c', 40, 'live-1'), order('o-8', 'c', 40, 'other')] }));
  stop();
  assert.ok(seen.includes('event.accepted'));
  assert.equal(seen.filter((k) => k === 'event.accepted').length, 1);
});

test('StartReplay re-sends archived events of the window with a replay-name', async () => {
  const from = new Date(Date.now() - 1000);
  await f.events.send(new PutEventsCommand({ Entries: [order('o-9', 'c', 41, 'replay-1')] }));
  await drain('placed');
  await f.events.send(new StartReplayCommand({
    ReplayName: 'again',
    EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/orders-archive',
    EventStartTime: from,
    EventEndTime: new Date(Date.now() + 1000),
    Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders', FilterArns: ['arn:aws:events:us-east-1:000000000000:rule/orders/placed'] },
  }));
  const replayed = (await drain('placed')).map((m) => JSON.parse(m.Body!));
  const mine = replayed.find((e) => e.detail.metadata.correlationId === 'replay-1');
  assert.equal(mine?.['replay-name'], 'again');
});
