/**
 * Redrive on the local engine: the operations flow (test/cli/support/ops-flow.ts) runs in the
 * engine with its real handlers, `busline dev`'s session file points the CLI at it, and each
 * `busline dlq …` runs in its own process without --stack, as on a developer's machine. Each
 * dead letter is sent back to exactly the subscription it failed for, keeps its identity (so
 * dedupe holds) and carries its history into its next dead letter.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InvocationFinishedRecord, LocalApp, LocalSubscription } from 'busline/local';
import { startOpsFlowEngine, succeeded, type OpsFlowEngine } from './support/ops-flow-engine.ts';

let engine: OpsFlowEngine;
let app: LocalApp;

before(async () => {
  engine = await startOpsFlowEngine('busline-redrive-');
  app = engine.app;
});

after(async () => {
  await engine?.stop();
});

const busline = (...args: string[]) => engine.busline(...args);

function subscription(name: string): LocalSubscription {
  return app.subscriptions.find((s) => s.name === name)!;
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runsOf(name: string): Promise<InvocationFinishedRecord[]> {
  const fn = subscription(name).functionName;
  return (await app.engine.journalQuery({ kinds: ['invocation.finished'] }))
    .filter((r): r is InvocationFinishedRecord => r.kind === 'invocation.finished' && r.functionName === fn);
}

const mentioning = (runs: readonly InvocationFinishedRecord[], text: string): InvocationFinishedRecord[] =>
  runs.filter((r) => (r.logs ?? []).some((l) => l.includes(text)) || (r.error ?? '').includes(text));

test("a direct subscription's dead letter is redriven to its function alone, and its next dead letter carries the first failure", async () => {
  const published = succeeded(await busline('publish', 'greeting.sent', '{"name":"Mallory","times":1}', '--id', 'direct-1'));
  assert.match(published, /published greeting\.sent id=direct-1/);
  const dlq = subscription('refuse').deadLetterQueueName!;
  await until('the dead letter', () => app.engine.peekMessages(dlq).length === 1);
  await until('greet handled it', async () => mentioning(await runsOf('greet'), 'Mallory').length === 1);

  // The runtime dead-letters a direct subscription's last failed attempt itself, with the reason.
  const shown = succeeded(await busline('dlq', 'show', 'refuse'));
  assert.match(shown, /  runtime  /);
  assert.match(shown, /reason: retries-exhausted \(Error: refusing to greet Mallory\) {2}\(attempts: 1\)/);

  const out = succeeded(await busline('dlq', 'redrive', 'refuse'));
  assert.match(out, new RegExp(`redrove 1 message\\(s\\) from ${dlq} to function ${subscription('refuse').functionName}`));

  // refuse ran again on the same event, failed again, and dead-lettered it again with its history.
  await until('the second failure', async () => mentioning(await runsOf('refuse'), 'Mallory').length === 2 && app.engine.peekMessages(dlq).length === 1);
  const again = JSON.parse(app.engine.peekMessages(dlq)[0]!.Body) as { detail: { metadata: { id: string } }; 'busline-redrive': { kind: string; reason: string; attempts: number }[] };
  assert.equal(again.detail.metadata.id, 'direct-1');
  assert.deepEqual(again['busline-redrive'].map((h) => [h.kind, h.attempts]), [['runtime', 1]]);
  assert.match(again['busline-redrive'][0]!.reason, /retries-exhausted/);
  const history = succeeded(await busline('dlq', 'show', 'refuse'));
  assert.match(history, /earlier: runtime: retries-exhausted.*refusing to greet Mallory.*\(attempts: 1\), redriven /);
  assert.equal(mentioning(await runsOf('greet'), 'Mallory').length, 1, 'the queue subscription on the same topic did not get it again');
});

test('dlq show cuts a long body at 400 characters and says how to see it whole; --full prints it whole', async () => {
  const dlq = subscription('refuse').deadLetterQueueName!;
  const body = (await until('a dead letter', () => app.engine.peekMessages(dlq)[0]))!.Body;
  assert.ok(body.length > 400, `the fixture's dead letter is longer than 400 characters (${body.length})`);

  const cut = succeeded(await busline('dlq', 'show', 'refuse'));
  assert.ok(cut.includes(`  body: ${body.slice(0, 400)}… (${body.length - 400} more characters; --full shows the whole body)`), cut);
  const whole = succeeded(await busline('dlq', 'show', 'refuse', '--full'));
  assert.ok(whole.includes(`  body: ${body}\n`), whole);
});

test("a queue subscription's rule-target dead letter is moved back to its queue by the move task, and dedupe knows the event it already handled", async () => {
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Linus","times":1}', '--id', 'queue-1'));
  await until('greet handled it', async () => mentioning(await runsOf('greet'), 'Linus').length === 1);
  const greet = subscription('greet');
  // The same event as EventBridge writes it to a target's DLQ when a delivery fails: the event
  // as the body, the failure in attributes ("Using dead-letter queues to process undelivered
  // events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html).
  const event = {
    version: '0', id: 'eb-queue-1', 'detail-type': 'greeting.sent', source: 'test.greetings', account: '000000000000',
    time: new Date().toISOString(), region: 'us-east-1', resources: [],
    detail: { metadata: { id: 'queue-1', correlationId: 'queue-1' }, data: { name: 'Linus', times: 1 } },
  };
  await app.engine.sendMessage(greet.deadLetterQueueName!, {
    MessageBody: JSON.stringify(event),
    MessageAttributes: {
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:000000000000:rule/bus/greet' },
      ERROR_CODE: { DataType: 'String', StringValue: 'SQSQueueDoesNotExist' },
    },
  });

  // StartMessageMoveTask moves a DLQ's messages to a destination queue at a rate: "StartMessageMoveTask",
  // SQS API Reference, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
  const out = succeeded(await busline('dlq', 'redrive', 'greet', '--rate', '5'));
  assert.match(out, new RegExp(`redrive of ${greet.deadLetterQueueName} to ${greet.queueName} started \\(move task .+, 5 message\\(s\\)/s\\)`));

  const duplicate = await until('greet saw the redriven event', async () => mentioning(await runsOf('greet'), '"outcome":"duplicate"').find((r) => mentioning([r], 'queue-1').length > 0));
  assert.ok(duplicate, 'the redriven event reached greet and was recognised as already handled');
  assert.equal(mentioning(await runsOf('greet'), '"greetedName":"Linus"').length, 1, 'the handler ran once');
  assert.equal(app.engine.peekMessages(greet.deadLetterQueueName!).length, 0);
});

test('status on the engine shows queue and DLQ depths per subscription', async () => {
  const out = succeeded(await busline('status'));
  assert.match(out, /status of the local engine at http:\/\/127\.0\.0\.1:\d+/);
  const refuse = out.split('\n').find((l) => l.startsWith('refuse '))?.trim().split(/\s+/);
  assert.deepEqual(refuse, ['refuse', '-', '-', '-', '1', '-']);
  const greet = out.split('\n').find((l) => l.startsWith('greet '))?.trim().split(/\s+/);
  assert.deepEqual(greet?.slice(0, 2), ['greet', '0']);
  assert.equal(greet?.[4], '0');
});

test("tail on the engine prints a subscription's log lines from the journal, as busline events renders them", async () => {
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Frances","times":1}', '--id', 'tail-1'));
  await until('greet handled it', async () => mentioning(await runsOf('greet'), 'Frances').length === 1);
  const out = succeeded(await busline('tail', '--subscription', 'greet', '--since', '1h'));
  assert.match(out, /greet {2}INFO greeted {2}greetedName=Frances/);
  assert.doesNotMatch(out, /_aws/, 'metric lines are left out');
});
