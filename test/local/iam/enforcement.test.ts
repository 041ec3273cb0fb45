/**
 * The engine enforces the template's permissions on the calls handlers make (test/fixtures/iam-flow):
 * a call the function's role and the resource's policy do not allow gets AWS's AccessDenied, and
 * the journal (FlowTest.accessDenials) names the missing permission and the declaration that
 * grants it. With `iam: 'warn'` the same calls go through and each is reported as a would-be denial.
 *
 * AWS's rules: "Policy evaluation for requests within a single account" (IAM User Guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html);
 * PutEvents is authorized per entry with `events:detail-type` and `events:source` ("Using IAM
 * policy conditions in Amazon EventBridge",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testFlow, type FlowTest } from 'busline/testing';
import { iamStack } from '../../fixtures/iam-flow/stack.ts';
import type { TopicMap } from '../../fixtures/iam-flow/types.ts';

let enforced: FlowTest<TopicMap>;
let warned: FlowTest<TopicMap>;

before(async () => {
  [enforced, warned] = await Promise.all([testFlow<TopicMap>(iamStack()), testFlow<TopicMap>(iamStack(), { iam: 'warn' })]);
});
after(async () => {
  await Promise.all([enforced?.close(), warned?.close()]);
});

/** Has `subscriber` make the call `action` names; returns what its attempt log line says and the denials it caused. */
async function attempt(flow: FlowTest<TopicMap>, subscriber: string, action: string) {
  const id = randomUUID();
  const before = flow.accessDenials().length;
  await flow.publish('task.created', { id, action, subscriber });
  await flow.settle();
  const line = flow.logs(subscriber).find((l) => l.message === 'attempt' && l.fields['taskId'] === id);
  assert.ok(line, `${subscriber} logged no attempt for ${action}`);
  return { outcome: line.fields['outcome'], error: String(line.fields['error'] ?? ''), denials: flow.accessDenials().slice(before) };
}

test('a handler publishing a topic its subscription does not declare gets AccessDeniedException naming events:PutEvents, and the fix names publishes', async () => {
  const { outcome, error, denials } = await attempt(enforced, 'silent', 'publish-done');
  assert.equal(outcome, 'AccessDeniedException');
  assert.match(error, /^User: arn:aws:sts::000000000000:assumed-role\/[^/]+\/[^ ]+ is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus\/\S+ because no identity-based policy allows the events:PutEvents action$/);
  const [denial, ...more] = denials;
  assert.deepEqual(more, []);
  assert.equal(denial?.enforced, true);
  assert.match(denial!.missing, /^events:PutEvents on \S+ with events:detail-type = "task\.done" and events:source = "test\.tasks"$/);
  assert.match(denial!.fix, /subscription 'silent'.*publishes: \[taskDoneTopic\]/);
});

test('a subscription granted task.done (publishes: [done]) publishes it, and is denied task.audited', async () => {
  assert.equal((await attempt(enforced, 'announcer', 'publish-done')).outcome, 'ok');
  const { outcome, denials } = await attempt(enforced, 'announcer', 'publish-audited');
  assert.equal(outcome, 'AccessDeniedException');
  assert.match(denials[0]!.missing, /events:detail-type = "task\.audited"/);
  assert.match(denials[0]!.fix, /subscription 'announcer'.*publishes: \[taskDoneTopic, taskAuditedTopic\]/);
});

test("a function sending to another subscription's queue is denied: its queue policy lets only that subscription's rule send", async () => {
  const { outcome, error, denials } = await attempt(enforced, 'intruder', 'send-to-audit-queue');
  assert.equal(outcome, 'AccessDenied');
  assert.match(error, /is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:\S+/);
  assert.match(denials[0]!.fix, /the queue of subscription 'audit' takes events from its rule only/);
  assert.equal(enforced.deliveries('audit').length, 0);
});

test('a handler writing a table it was not granted gets AccessDeniedException; one granted grantWriteData writes it', async () => {
  const denied = await attempt(enforced, 'writer', 'write-ledger');
  assert.equal(denied.outcome, 'AccessDeniedException');
  assert.match(denied.error, /is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/\S+/);
  assert.match(denied.denials[0]!.fix, /grant subscription 'writer' write access to table Ledger\w*: `table\.grantWriteData\(writer\.function\)`/);
  assert.equal((await attempt(enforced, 'bookkeeper', 'write-ledger')).outcome, 'ok');
});

test('with iam warn, each of those calls goes through and is reported as a would-be denial', async () => {
  for (const [subscriber, action, permission] of [
    ['silent', 'publish-done', 'events:PutEvents'],
    ['announcer', 'publish-audited', 'events:PutEvents'],
    ['intruder', 'send-to-audit-queue', 'sqs:SendMessage'],
    ['writer', 'write-ledger', 'dynamodb:PutItem'],
  ] as const) {
    const { outcome, denials } = await attempt(warned, subscriber, action);
    assert.equal(outcome, 'ok', `${subscriber} ${action}`);
    assert.deepEqual(denials.map((d) => [d.action, d.enforced]), [[permission, false]], `${subscriber} ${action}`);
  }
});

test('the calls the stack grants raise no denial: a declared publish and the runtime\'s own calls (its queue, DLQ, dedupe table)', async () => {
  const before = enforced.accessDenials().length;
  const { outcome } = await attempt(enforced, 'announcer', 'publish-done');
  assert.equal(outcome, 'ok');
  assert.deepEqual(enforced.accessDenials().slice(before), []);
});
