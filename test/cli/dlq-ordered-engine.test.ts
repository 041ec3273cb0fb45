/**
 * An ordered subscription's two dead-letter queues on the local engine: its FIFO DLQ (failed
 * handler runs) and the standard DLQ its rule sends undeliverable events to (EventBridge
 * cannot send to a FIFO DLQ). `busline status` and `busline dlq list | show | redrive` see
 * both, and a delivery dead letter goes back to exactly that subscription.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InvocationFinishedRecord, LocalApp } from 'busline/local';
import { startOpsFlowEngine, succeeded, type OpsFlowEngine } from './support/ops-flow-engine.ts';
import { withOrderedTally } from './support/ops-flow.ts';
import { waitFor } from '../local/support/reference-flow.ts';

let engine: OpsFlowEngine;
let app: LocalApp;
/** The delivery DLQ's name, as `busline dlq list` prints it. */
let deliveryDlq: string;

before(async () => {
  engine = await startOpsFlowEngine('busline-dlq-ordered-', withOrderedTally);
  app = engine.app;
});

after(async () => {
  await engine?.stop();
});

const busline = (...args: string[]) => engine.busline(...args);

async function runsMentioning(subscription: string, text: string): Promise<InvocationFinishedRecord[]> {
  const fn = app.subscriptions.find((s) => s.name === subscription)!.functionName;
  return (await app.engine.journalQuery({ kinds: ['invocation.finished'] }))
    .filter((r): r is InvocationFinishedRecord => r.kind === 'invocation.finished' && r.functionName === fn)
    .filter((r) => (r.logs ?? []).some((l) => l.includes(text)));
}

test("dlq list shows an ordered subscription's FIFO DLQ and its delivery DLQ, each with its depth", async () => {
  const list = succeeded(await busline('dlq', 'list'));
  const rows = list.split('\n').filter((l) => l.startsWith('tally ')).map((l) => l.trim().split(/\s+/));
  assert.equal(rows.length, 2, list);
  assert.deepEqual(rows[0]!.slice(0, 2), ['tally', '0']);
  assert.match(rows[0]![2]!, /\.fifo$/);
  assert.deepEqual([rows[1]![0], rows[1]![1], rows[1]![3]], ['tally', '0', '(delivery)']);
  assert.doesNotMatch(rows[1]![2]!, /\.fifo$/);
  deliveryDlq = rows[1]![2]!;
});

test('a delivery dead letter shows in status, in dlq show on its queue, and goes back to the ordered subscription alone', async () => {
  assert.ok(deliveryDlq, 'the delivery DLQ was listed');
  // The event as EventBridge writes it to a target's DLQ when it cannot deliver it: the event
  // as the body, the failure in attributes ("Using dead-letter queues to process undelivered
  // events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html).
  const event = {
    version: '0', id: 'eb-ordered-1', 'detail-type': 'greeting.sent', source: 'test.greetings', account: '000000000000',
    time: new Date().toISOString(), region: 'us-east-1', resources: [],
    detail: { metadata: { id: 'ordered-1', correlationId: 'ordered-1' }, data: { name: 'Hedy', times: 4 } },
  };
  await app.engine.sendMessage(deliveryDlq, {
    MessageBody: JSON.stringify(event),
    MessageAttributes: {
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:us-east-1:000000000000:rule/bus/tally' },
      ERROR_CODE: { DataType: 'String', StringValue: 'SQSQueueDoesNotExist' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'The queue does not exist' },
    },
  });

  const status = succeeded(await busline('status'));
  const tally = status.split('\n').find((l) => l.startsWith('tally '))?.trim().split(/\s+/);
  assert.equal(tally?.[4], '1', `the dlq column counts the delivery DLQ: ${status}`);

  const shown = succeeded(await busline('dlq', 'show', 'tally'));
  assert.match(shown, new RegExp(`rule-target .*on ${deliveryDlq}`));
  assert.match(shown, /event: greeting\.sent id=ordered-1/);
  assert.match(shown, /reason: SQSQueueDoesNotExist: The queue does not exist/);

  const out = succeeded(await busline('dlq', 'redrive', 'tally', '--one-by-one'));
  assert.match(out, new RegExp(`redrove 1 message\\(s\\) from \\S+\\.fifo and ${deliveryDlq} to queue \\S+\\.fifo`));
  await waitFor('tally handled the redriven event', async () => (await runsMentioning('tally', '"tallied":4')).length === 1 || undefined);
  assert.equal(app.engine.peekMessages(deliveryDlq).length, 0);
  assert.equal((await runsMentioning('greet', 'Hedy')).length, 0, 'the other subscription on the topic did not get it');
});
