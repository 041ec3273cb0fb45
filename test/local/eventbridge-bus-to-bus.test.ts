/**
 * Bus-to-bus targets: a rule whose target is another event bus of the same account and Region.
 * EventBridge user guide, "Sending and receiving events between event buses in the same account
 * and Region" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html): the
 * sender bus's rule has the receiver bus as its target, the receiver bus's rules match the
 * events it receives, and "EventBridge can't route events received from a sender event bus to a
 * third event bus".
 */
import assert from 'node:assert/strict';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { awsError, eventBridgeTargets, scenario, type EventBridgeTarget } from './support/eventbridge-targets.ts';

const { engine } = eventBridgeTargets();
const PATTERN = JSON.stringify({ source: ['bus.to.bus'] });

async function bus(t: EventBridgeTarget, prefix: string): Promise<{ name: string; arn: string }> {
  const name = t.unique(prefix);
  const { EventBusArn } = await t.events.send(new CreateEventBusCommand({ Name: name }));
  return { name, arn: EventBusArn! };
}

async function queue(t: EventBridgeTarget, prefix: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: t.unique(prefix) }));
  const { Attributes } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!['QueueArn']! };
}

/** A rule on `busName` matching PATTERN with one target. */
async function rule(t: EventBridgeTarget, busName: string, target: { Id: string; Arn: string; DeadLetterConfig?: { Arn: string } }): Promise<void> {
  const name = t.unique('rule');
  await t.events.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: PATTERN }));
  await t.events.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [target] }));
}

/** A sender bus whose rule targets a receiver bus, whose rule targets a queue. */
async function senderToReceiver(t: EventBridgeTarget): Promise<{ sender: { name: string; arn: string }; receiver: { name: string; arn: string }; q: { url: string; arn: string } }> {
  const sender = await bus(t, 'sender');
  const receiver = await bus(t, 'receiver');
  const q = await queue(t, 'receiver-q');
  await rule(t, sender.name, { Id: 'bus', Arn: receiver.arn });
  await rule(t, receiver.name, { Id: 'q', Arn: q.arn });
  return { sender, receiver, q };
}

async function publish(t: EventBridgeTarget, busName: string): Promise<string> {
  const put = await t.events.send(new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: 'bus.to.bus', DetailType: 'forwarded', Detail: '{"n":7}' }] }));
  assert.equal(put.FailedEntryCount, 0);
  return put.Entries![0]!.EventId!;
}

async function receive(t: EventBridgeTarget, url: string, waitSeconds: number): Promise<Message[]> {
  const { Messages = [] } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ['All'] }));
  return Messages;
}

scenario('an event matched by a rule whose target is another bus reaches the targets of that bus\'s rules, as the same event', { moto: true }, async (t) => {
  const { sender, q } = await senderToReceiver(t);
  await publish(t, sender.name);
  const [message] = await receive(t, q.url, 5);
  assert.ok(message, 'the event reached the receiver bus\'s rule target');
  const event = JSON.parse(message.Body!);
  assert.equal(event.source, 'bus.to.bus');
  assert.equal(event['detail-type'], 'forwarded');
  assert.deepEqual(event.detail, { n: 7 });
});

// The user guide does not say whether the event id changes on the way; the engine keeps it (the
// receiver gets the event, not a new one), so lineage follows one id across buses. moto makes a
// new event (new id), so engine only.
scenario('a forwarded event keeps its id, and the journal shows it accepted on both buses', { moto: false }, async (t) => {
  const { sender, receiver, q } = await senderToReceiver(t);
  const eventId = await publish(t, sender.name);
  const [message] = await receive(t, q.url, 5);
  assert.equal(JSON.parse(message!.Body!).id, eventId);
  const accepted = (await engine().engine.journalQuery({ eventId, kinds: ['event.accepted'] })) as Array<{ bus?: string }>;
  assert.deepEqual(accepted.map((r) => r.bus), [sender.name, receiver.name]);
});

// "EventBridge can't route events received from a sender event bus to a third event bus." The
// engine treats such a target as a delivery that cannot succeed: not made, and dead-lettered
// with the reason. moto differs: it forwards any number of hops, so engine only.
scenario('an event received from another bus is not forwarded to a third bus: that target dead-letters it', { moto: false }, async (t) => {
  const first = await bus(t, 'first');
  const second = await bus(t, 'second');
  const third = await bus(t, 'third');
  const onSecond = await queue(t, 'second-q');
  const onThird = await queue(t, 'third-q');
  const dlq = await queue(t, 'hop-dlq');
  await rule(t, first.name, { Id: 'to-second', Arn: second.arn });
  await rule(t, second.name, { Id: 'q', Arn: onSecond.arn });
  await rule(t, second.name, { Id: 'to-third', Arn: third.arn, DeadLetterConfig: { Arn: dlq.arn } });
  await rule(t, third.name, { Id: 'q', Arn: onThird.arn });
  await publish(t, first.name);
  assert.equal((await receive(t, onSecond.url, 5)).length, 1, 'the second bus receives it');
  const [dead] = await receive(t, dlq.url, 5);
  assert.equal(dead!.MessageAttributes!['busline.reason']!.StringValue, 'bus-hop');
  assert.equal(dead!.MessageAttributes!['TARGET_ARN']!.StringValue, third.arn);
  assert.equal((await receive(t, onThird.url, 0)).length, 0, 'the third bus never receives it');
});

// "Using dead-letter queues to process undelivered events" (user guide): a target resource that
// does not exist is not retried; the event goes to the DLQ. Engine only (moto has no target DLQs).
scenario('a target bus that does not exist dead-letters the event at once with NO_RESOURCE', { moto: false }, async (t) => {
  const sender = await bus(t, 'sender');
  const dlq = await queue(t, 'missing-bus-dlq');
  const missing = `arn:aws:events:us-east-1:${t.account}:event-bus/${t.unique('never-created')}`;
  await rule(t, sender.name, { Id: 'bus', Arn: missing, DeadLetterConfig: { Arn: dlq.arn } });
  await publish(t, sender.name);
  const [dead] = await receive(t, dlq.url, 5);
  assert.equal(dead!.MessageAttributes!['ERROR_CODE']!.StringValue, 'NO_RESOURCE');
  assert.equal(dead!.MessageAttributes!['busline.reason']!.StringValue, 'target-missing');
  assert.equal(JSON.parse(dead!.Body!).detail.n, 7);
});

// A bus target forwards the matched event itself; the engine refuses input shaping on it rather
// than ignore it (Busline's choice: the receiving bus's rules match events, not target input).
scenario('PutTargets with an InputTransformer on a bus target is a ValidationException', { moto: false }, async (t) => {
  const sender = await bus(t, 'sender');
  const receiver = await bus(t, 'receiver');
  const name = t.unique('rule');
  await t.events.send(new PutRuleCommand({ Name: name, EventBusName: sender.name, EventPattern: PATTERN }));
  const target = { Id: 'bus', Arn: receiver.arn, InputTransformer: { InputPathsMap: { n: '$.detail.n' }, InputTemplate: '{"n": <n>}' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: name, EventBusName: sender.name, Targets: [target] })), awsError('ValidationException', /event bus target receives the matched event unchanged/));
});
