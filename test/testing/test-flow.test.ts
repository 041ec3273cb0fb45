/**
 * busline/testing's testFlow on the greetings fixture (test/fixtures/greetings-flow), on virtual
 * time: one flow for most tests, each publishing its own names and reading only its own events.
 * `greet` handles every greeting.sent and publishes greeting.recorded (handled by `record`);
 * `refuse` handles Mallory's and always throws (2 attempts, no backoff).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { Duration } from 'aws-cdk-lib';
import {
  testFlow, assertDeadLettered, assertDeduplicated, assertDelivered, assertPublished, flowMatchers, type FlowTest,
} from 'busline/testing';
import { greetingsStack } from '../fixtures/greetings-flow/stack.ts';
import type { TopicMap } from '../fixtures/greetings-flow/types.ts';

let flow: FlowTest<TopicMap>;

before(async () => {
  flow = await testFlow<TopicMap>(greetingsStack());
});
after(async () => {
  await flow?.close();
});

const of = (id: string) => <T extends { readonly id?: string }>(list: readonly T[]): T[] => list.filter((x) => x.id === id);

test('settle() runs a failing subscription through its attempts to its DLQ, with the data, reason and attempts the DLQ message carries', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Mallory', times: 1 });
  await flow.settle();
  const [letter, ...more] = of(sent.id)(flow.deadLettered('refuse'));
  assert.deepEqual(more, []);
  assert.deepEqual(letter?.data, { name: 'Mallory', times: 1 });
  assert.equal(letter?.attempts, 2);
  assert.equal(letter?.reason, 'failed 2 attempts; last error: Error: refusing to greet Mallory');
});

test('deliveries() lists each event a subscription got with its attempts and outcome, and published() the events handlers published', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Ada', times: 1 });
  await flow.settle();
  assert.deepEqual(of(sent.id)(flow.deliveries('greet')).map((d) => [d.outcome, d.attempts, d.deduplicated]), [['succeeded', 1, false]]);
  const recorded = flow.published('greeting.recorded').filter((e) => e.causationId === sent.id);
  assert.deepEqual(recorded.map((e) => e.data), [{ name: 'Ada' }]);
  assert.deepEqual(recorded[0]!.handledBy.map((h) => [h.subscription, h.outcome]), [['record', 'succeeded']]);
});

test('explain() names the rules that matched an event and says why each other rule did not', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Grace', times: 1 });
  const explanation = flow.explain(sent);
  assert.deepEqual(explanation.matched.map((v) => v.subscription), ['greet']);
  const refuse = explanation.unmatched.find((v) => v.subscription === 'refuse');
  assert.match(refuse?.reason ?? '', /Mallory/);
  assert.match(explanation.unmatched.find((v) => v.subscription === 'record')?.reason ?? '', /greeting\.recorded/);
  await flow.settle();
});

test("a failed invocation's message comes back when the queue's visibility timeout has passed on the virtual clock, not before", async () => {
  // "If the consumer fails before deleting the message … the message becomes visible to other
  // consumers and the message is received again" once the visibility timeout expires (Amazon SQS
  // Developer Guide, "Amazon SQS visibility timeout",
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
  // greet's queue has a 180 s visibility timeout; an injected fault fails the invocation before
  // the runtime can set a backoff of its own.
  flow.faults.failNext('greet', 1, 'worker lost');
  const sent = await flow.publish('greeting.sent', { name: 'Barbara', times: 1 });
  await flow.advance(0);
  assert.deepEqual(of(sent.id)(flow.deliveries('greet')).map((d) => [d.outcome, d.attempts, d.lastError]), [['failed', 1, 'InjectedFault: worker lost']]);
  await flow.advance(Duration.seconds(179));
  assert.equal(of(sent.id)(flow.deliveries('greet'))[0]?.attempts, 1);
  await flow.advance(Duration.seconds(2));
  assert.deepEqual(of(sent.id)(flow.deliveries('greet')).map((d) => [d.outcome, d.attempts]), [['succeeded', 2]]);
  await flow.settle();
});

test('an event delivered twice is handled once: the second copy is skipped as a duplicate', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Hedy', times: 1 }, { deliverTwice: true });
  await flow.settle();
  const copies = of(sent.id)(flow.deliveries('greet'));
  assert.deepEqual(copies.map((d) => d.deduplicated).sort(), [false, true]);
  assert.equal(flow.published('greeting.recorded').filter((e) => e.causationId === sent.id).length, 1);
  assertDeduplicated(sent, 'greet');
});

test('a replaced handler runs instead of the deployed one until it is restored', async () => {
  const seen: unknown[] = [];
  const replaced = await flow.replaceHandler('refuse', (event) => {
    seen.push(event);
    return { batchItemFailures: [] };
  });
  const spared = await flow.publish('greeting.sent', { name: 'Mallory', times: 2 });
  await flow.settle();
  await replaced.restore();
  assert.equal(seen.length, 1);
  assert.deepEqual(of(spared.id)(flow.deadLettered('refuse')), []);
  assert.deepEqual(of(spared.id)(flow.deliveries('refuse')).map((d) => d.outcome), ['succeeded']);
  const refused = await flow.publish('greeting.sent', { name: 'Mallory', times: 3 });
  await flow.settle();
  assert.equal(of(refused.id)(flow.deadLettered('refuse')).length, 1);
});

test("setEnv() gives a subscription's function environment variables for a while; restore() takes them back", async () => {
  const style = (id: string): unknown => of(id)(flow.deliveries('greet'))[0]?.logs.find((l) => l.message === 'greeted')?.fields.style;
  const restorable = await flow.setEnv('greet', { GREETING_STYLE: 'formal' });
  const formal = await flow.publish('greeting.sent', { name: 'Alan', times: 1 });
  await flow.settle();
  await restorable.restore();
  const plain = await flow.publish('greeting.sent', { name: 'Alan', times: 2 });
  await flow.settle();
  assert.equal(style(formal.id), 'formal');
  assert.equal(style(plain.id), 'plain');
});

test("items() returns a table's items as plain objects", async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Katherine', times: 1 });
  await flow.settle();
  const items = await flow.items('DedupeTable');
  assert.ok(items.some((item) => typeof item.pk === 'string' && item.pk.includes(sent.id)), `dedupe keys: ${items.map((i) => String(i.pk)).join(', ')}`);
});

test("logs() returns a subscription's lines with their fields", async () => {
  await flow.publish('greeting.sent', { name: 'Edsger', times: 1 });
  await flow.settle();
  const line = flow.logs('greet').find((l) => l.message === 'greeted' && l.fields.greetedName === 'Edsger');
  assert.equal(line?.subscription, 'greet');
  assert.equal(line?.level, 'info');
});

test('the assertion functions return what they found', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Radia', times: 1 });
  await flow.settle();
  assert.equal(assertPublished(flow, 'greeting.recorded', { name: 'Radia' }).causationId, sent.id);
  assert.equal(assertDelivered(flow, 'record', { data: { name: 'Radia' }, outcome: 'succeeded', attempts: 1 }).subscription, 'record');
});

test("a failing assertion throws AssertionError whose message ends with the flow's lineage tree", async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Ida', times: 1 });
  await flow.settle();
  assert.throws(() => assertDeadLettered(flow, 'greet', { data: { name: 'Ida' } }), (error: unknown) => {
    assert.ok(error instanceof AssertionError);
    assert.match(error.message, /^expected a message on the DLQ of greet matching/);
    assert.match(error.message, /the DLQ of greet is empty/);
    assert.match(error.message, new RegExp(`Lineage:\\n(.*\\n)*.*greeting\\.sent  id=${sent.id}`));
    assert.match(error.message, /✓ greet success/);
    return true;
  });
});

test('flowMatchers pass where the assertion holds and fail with its message where it does not', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Mallory', times: 4 });
  await flow.settle();
  const state = { isNot: false };
  assert.equal(flowMatchers.toHaveDeadLettered.call(state, flow, 'refuse', { data: { times: 4 }, attempts: 2 }).pass, true);
  assert.equal(flowMatchers.toHavePublished.call(state, flow, 'greeting.recorded', { name: 'Mallory' }).pass, true);
  const failed = flowMatchers.toHaveBeenDeduplicated.call(state, sent, 'greet');
  assert.equal(failed.pass, false);
  assert.match(failed.message(), /expected greeting\.sent .* to reach greet more than once[\s\S]*Lineage:/);
});

test("handlers see the virtual clock's time in Date", async () => {
  const start = Date.parse('2031-05-01T09:00:00Z');
  const later = await testFlow<TopicMap>(greetingsStack(), { startTime: start });
  try {
    await later.advance(Duration.hours(2));
    const sent = await later.publish('greeting.sent', { name: 'Joan', times: 1 });
    await later.settle();
    const at = of(sent.id)(later.deliveries('greet'))[0]?.logs.find((l) => l.message === 'greeted')?.fields.at;
    assert.equal(typeof at, 'string');
    const shownMs = Date.parse(at as string) - (start + 2 * 3600_000);
    assert.ok(shownMs >= 0 && shownMs < 60_000, `the handler's Date showed ${String(at)}`);
  } finally {
    await later.close();
  }
});

test('expiring the visibility timeout mid-handler lets another poller receive the message again; the runtime still handles it once', async () => {
  const twoPollers = await testFlow<TopicMap>(greetingsStack(), { maxWorkersPerFunction: 2 });
  try {
    twoPollers.faults.expireVisibility('greet');
    const sent = await twoPollers.publish('greeting.sent', { name: 'Frances', times: 1 });
    await twoPollers.settle();
    const invocations = of(sent.id)(twoPollers.deliveries('greet')).reduce((n, d) => n + d.attempts, 0);
    assert.ok(invocations >= 2, `greet ran ${invocations} time(s) for the event`);
    assert.equal(twoPollers.published('greeting.recorded').filter((e) => e.causationId === sent.id).length, 1);
  } finally {
    await twoPollers.close();
  }
});
