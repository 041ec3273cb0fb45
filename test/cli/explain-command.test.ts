/**
 * `busline explain <event id>` on the local engine, run in its own process against the
 * operations flow (test/cli/support/ops-flow.ts): `greet` takes every `greeting.sent`, `refuse`
 * only those whose name is Mallory. For one event it names each rule of the bus by its
 * subscription, matched or not and why not (the reasons `busline events` prints).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOpsFlowEngine, succeeded, type OpsFlowEngine } from './support/ops-flow-engine.ts';
import { waitFor } from '../local/support/reference-flow.ts';
import { runBusline } from './support/run-busline.ts';

let engine: OpsFlowEngine;

before(async () => {
  engine = await startOpsFlowEngine('busline-explain-');
});

after(async () => {
  await engine?.stop();
});

/** Publishes greeting.sent with `id` and waits until the bus routed it (a rule matched it). */
async function publishRouted(id: string, data: object): Promise<void> {
  succeeded(await engine.busline('publish', 'greeting.sent', JSON.stringify(data), '--id', id));
  await waitFor(`${id} routed`, async () => {
    const records = await engine.journal();
    const accepted = records.find((r) => r.kind === 'event.accepted' && r.metadataId === id);
    return accepted && records.some((r) => r.kind === 'rule.matched' && r.eventId === accepted.eventId) ? true : undefined;
  });
}

test('explain names the rule that matched the event by its subscription', async () => {
  await publishRouted('explain-ada', { name: 'Ada', times: 1 });
  const out = succeeded(await engine.busline('explain', 'explain-ada'));
  assert.match(out, /^greeting\.sent {2}id=explain-ada {2}event id=\S+/m);
  assert.match(out, /^ {2}✓ greet \(rule \S+\) matched$/m);
  assert.doesNotMatch(out, /greet \(rule \S+\) did not match/);
});

test('explain tells why a rule did not match the event: the field its pattern wants and the value the event has', async () => {
  await publishRouted('explain-grace', { name: 'Grace', times: 1 });
  const out = succeeded(await engine.busline('explain', 'explain-grace'));
  assert.match(out, /^ {2}· refuse \(rule \S+\) did not match: detail\.data\.name: "Grace" is not "Mallory"$/m);
  assert.doesNotMatch(out, /refuse \(rule \S+\) matched/);
});

test('explain finds the event by its EventBridge id as well as by its metadata.id', async () => {
  await publishRouted('explain-by-eventbridge-id', { name: 'Alan', times: 1 });
  const accepted = (await engine.journal()).find((r) => r.kind === 'event.accepted' && r.metadataId === 'explain-by-eventbridge-id')!;
  const out = succeeded(await engine.busline('explain', accepted.eventId!));
  assert.match(out, /id=explain-by-eventbridge-id/);
  assert.match(out, /✓ greet \(rule \S+\) matched/);
});

test('explain of an id the journal does not have fails and says how to list the events', async () => {
  const run = await engine.busline('explain', 'no-such-event');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /busline explain: no event with id no-such-event in the journal: `busline events` lists the events and their ids/);
});

test('explain on a deployed stack refuses, as it needs the local engine\'s journal', async () => {
  const run = await runBusline(['explain', 'any-id', '--stack', 'Ops'], {});
  assert.equal(run.code, 2);
  assert.match(run.stderr, /explain needs the local engine's journal/);
});
