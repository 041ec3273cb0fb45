/**
 * busline/local: the engine started from code on a synthesized Busline flow (the greetings
 * fixture), observed through the public entry point only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { EventBridgeError, SqsError, startLocalApp, type InvocationFinishedRecord, type LocalApp, type LogLine } from 'busline/local';
import { greetingsStack } from '../fixtures/greetings-flow/stack.ts';

const assemblyDir = Stage.of(greetingsStack())!.synth().directory;
const stateDir = mkdtempSync(join(tmpdir(), 'busline-local-api-'));
const lines: Array<{ functionName: string; line: LogLine }> = [];
let app: LocalApp;

before(async () => {
  app = await startLocalApp({ assembly: assemblyDir, stateDir, onLog: (functionName, line) => { lines.push({ functionName, line }); } });
});
after(async () => {
  await app?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(assemblyDir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function subscription(name: string) {
  const found = app.subscriptions.find((s) => s.name === name);
  assert.ok(found, `subscription ${name} in ${app.subscriptions.map((s) => s.name).join(', ')}`);
  return found;
}

async function putGreeting(name: string): Promise<string> {
  const out = await app.engine.putEvents([{
    EventBusName: subscription('greet').busName, Source: 'test.greetings', DetailType: 'greeting.sent',
    Detail: JSON.stringify({ metadata: { id: `greeting-${name}` }, data: { name, times: 1 } }),
  }]);
  assert.equal(out.FailedEntryCount, 0);
  return out.Entries[0]!.EventId!;
}

test('subscriptions name every subscription of the flow with the physical names of its rule, queues and function', () => {
  assert.deepEqual(app.subscriptions.map((s) => [s.name, s.flow, s.topics, s.delivery]).sort(), [
    ['greet', 'Greetings', ['greeting.sent'], 'queue'],
    ['record', 'Greetings', ['greeting.recorded'], 'queue'],
    ['refuse', 'Greetings', ['greeting.sent'], 'queue'],
  ]);
  const queues = new Set(app.engine.listQueues().map((q) => q.name));
  for (const s of app.subscriptions) {
    assert.ok(s.queueName && queues.has(s.queueName), `${s.name}'s queue ${s.queueName}`);
    assert.ok(s.deadLetterQueueName && queues.has(s.deadLetterQueueName), `${s.name}'s DLQ ${s.deadLetterQueueName}`);
    assert.ok(s.functionName && s.ruleName);
  }
  assert.deepEqual(subscription('greet').publishes, ['greeting.recorded']);
});

test("an event put on the bus is handled by its subscription's function, as the journal records", async () => {
  const eventId = await putGreeting('Ada');
  const greet = subscription('greet');
  const finished = await until('greet to finish with the event', async () =>
    (await app.engine.journalQuery({ eventId, kinds: ['invocation.finished'] }))
      .find((r): r is InvocationFinishedRecord => r.kind === 'invocation.finished' && r.functionName === greet.functionName));
  assert.equal(finished.outcome, 'success');
  assert.equal(finished.topic, 'greeting.sent');
});

test("onLog receives a handler's lines with the physical name of its function", async () => {
  await putGreeting('Grace');
  const greet = subscription('greet');
  const line = await until('the greeted line', () => lines.find((l) => l.functionName === greet.functionName && l.line.text.includes('"greetedName":"Grace"')));
  assert.equal(line.line.level, 'info');
  assert.equal((JSON.parse(line.line.text) as { message: string }).message, 'greeted');
});

test('isIdle becomes true once every event and the events it caused are handled', async () => {
  const eventId = await putGreeting('Barbara');
  await until('the flow to be idle', () => (app.isIdle() ? true : undefined));
  const accepted = await app.engine.journalQuery({ kinds: ['event.accepted'] });
  const caused = accepted.filter((r) => r.kind === 'event.accepted' && r.causationId === 'greeting-Barbara');
  assert.equal(caused.length, 1, 'greet published greeting.recorded before the flow went idle');
  const record = subscription('record');
  const handled = await app.engine.journalQuery({ eventId: caused[0]!.eventId!, kinds: ['invocation.finished'] });
  assert.ok(handled.some((r) => r.kind === 'invocation.finished' && r.functionName === record.functionName && r.outcome === 'success'), `record handled ${eventId}'s child`);
});

test('stop() frees the port', async () => {
  const { port } = app.engine;
  await app.stop();
  const server = createServer();
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// PutRule: "InvalidEventPatternException — The event pattern is not valid" (EventBridge API
// reference, PutRule, Errors); the engine's method throws the same error by name.
test('a rule whose pattern EventBridge would reject throws EventBridgeError InvalidEventPatternException', () => {
  assert.throws(() => app.engine.putRule({ Name: 'bad', EventBusName: subscription('greet').busName, EventPattern: '{"source":"not-an-array"}' }),
    (e: unknown) => e instanceof EventBridgeError && e.type === 'InvalidEventPatternException');
});

// ReceiveMessage: "QueueDoesNotExist — The specified queue doesn't exist" (SQS API reference, Errors).
test('receiving from a queue that does not exist throws SqsError QueueDoesNotExist', async () => {
  await assert.rejects(app.engine.receiveMessages('no-such-queue'), (e: unknown) => e instanceof SqsError && e.shape === 'QueueDoesNotExist');
});

