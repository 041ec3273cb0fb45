/**
 * busline/testing on the greetings fixture (test/fixtures/greetings-flow): one flow, started
 * once from its Stack; each test publishes its own events (distinct names) and asserts on
 * their lineage, logs and dead letters.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFlow, FlowTimeoutError, PayloadInvalidError, type FlowUnderTest } from 'busline/testing';
import { greetingsStack } from '../fixtures/greetings-flow/stack.ts';

let flow: FlowUnderTest;

before(async () => {
  flow = await startFlow(greetingsStack());
});
after(async () => {
  await flow?.stop();
});

test('a published event is handled, and its lineage names the subscription that handled it', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Ada', times: 1 });
  const lineage = await flow.waitForHandled(sent);
  assert.equal(lineage.topic, 'greeting.sent');
  assert.equal(lineage.id, sent.id);
  assert.deepEqual(lineage.data, { name: 'Ada', times: 1 });
  assert.deepEqual(lineage.handledBy.map((h) => [h.subscription, h.outcome, h.attempts]), [['greet', 'succeeded', 1]]);
});

test('an event a handler published appears in the lineage as caused by the event it handled, with its own handling', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Grace', times: 2 });
  const lineage = await flow.waitForHandled(sent);
  assert.equal(lineage.caused.length, 1);
  const recorded = lineage.caused[0]!;
  assert.equal(recorded.topic, 'greeting.recorded');
  assert.equal(recorded.causationId, sent.id);
  assert.equal(recorded.correlationId, sent.correlationId);
  assert.deepEqual(recorded.data, { name: 'Grace' });
  assert.deepEqual(recorded.handledBy.map((h) => [h.subscription, h.outcome]), [['record', 'succeeded']]);
});

test("a handler's log line is returned with its own field, in the lineage and per subscription", async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Edsger', times: 1 });
  const lineage = await flow.waitForHandled(sent);
  const inLineage = lineage.handledBy[0]!.logs.find((l) => l.message === 'greeted');
  assert.equal(inLineage?.fields.greetedName, 'Edsger');
  assert.equal(inLineage?.subscription, 'greet');
  assert.equal(inLineage?.level, 'info');
  const perSubscription = flow.logs('record').filter((l) => l.message === 'recorded').map((l) => l.fields.recordedName);
  assert.ok(perSubscription.includes('Edsger'), `record's lines: ${JSON.stringify(perSubscription)}`);
  assert.ok(flow.logs('record').every((l) => l.subscription === 'record'));
});

test('an event a handler always fails on ends in its DLQ after its attempts, with the reason', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Mallory', times: 1 });
  const lineage = await flow.waitForHandled(sent);
  const refused = lineage.handledBy.find((h) => h.subscription === 'refuse');
  assert.equal(refused?.outcome, 'dead-lettered');
  assert.equal(refused?.attempts, 2);
  assert.match(refused?.deadLetter?.reason ?? '', /^failed 2 attempts; last error: Error: refusing to greet Mallory$/);
  const [letter, ...more] = flow.deadLetters('refuse').filter((d) => d.id === sent.id);
  assert.equal(more.length, 0);
  assert.equal(letter?.topic, 'greeting.sent');
  assert.deepEqual(letter?.data, { name: 'Mallory', times: 1 });
  assert.equal(letter?.attempts, 2);
});

test('a payload that breaks the topic schema is rejected by publish, naming the field, and nothing is sent', async () => {
  const before = flow.events().length;
  await assert.rejects(flow.publish('greeting.sent', { name: 'Alan', times: 'twice' }), (error: unknown) => {
    assert.ok(error instanceof PayloadInvalidError);
    assert.match(error.message, /\/times must be integer/);
    return true;
  });
  assert.equal(flow.events().length, before);
});

test('publishing a topic the flow does not declare is rejected, listing the topics it does', async () => {
  await assert.rejects(flow.publish('greeting.lost', { name: 'Alan' }), /unknown topic "greeting.lost": the flow declares greeting.sent, greeting.recorded/);
});

test('waiting for an event that was never published ends in a timeout error listing what happened', async () => {
  await flow.settled();
  await assert.rejects(flow.waitForHandled('no-such-event', { timeoutMs: 200 }), (error: unknown) => {
    assert.ok(error instanceof FlowTimeoutError);
    assert.match(error.message, /waiting for event no-such-event/);
    assert.match(error.message, /What happened:\n {2}greeting\.sent id=/);
    assert.match(error.message, /greet: succeeded after 1 attempt/);
    return true;
  });
});

test('settled returns the lineage of every event published so far once nothing is left to happen', async () => {
  const sent = await flow.publish('greeting.sent', { name: 'Barbara', times: 3 });
  const events = await flow.settled();
  const mine = events.find((e) => e.id === sent.id);
  assert.ok(mine, 'the event is among the settled ones');
  assert.ok(events.flatMap((e) => e.handledBy).every((h) => h.outcome === 'succeeded' || h.outcome === 'dead-lettered'));
  assert.deepEqual(mine.caused.map((c) => c.handledBy.map((h) => h.outcome)), [['succeeded']]);
});
