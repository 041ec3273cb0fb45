/**
 * IAM in the engine, over the wire: who a request comes from (its SigV4 credential), AWS's
 * AccessDenied answer in each protocol, rule → queue deliveries checked against the queue's
 * policy, and the modes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEngine } from '../support/engine-fixture.ts';
import { IamAuthorizer, type IamMode } from '../../../lib/local/iam/iam-authorizer.ts';
import { functionAccessKeyId } from '../../../lib/local/iam/caller.ts';
import type { LocalResourcePolicy } from '../../../lib/local/assembly/app-model.ts';
import type { PolicyStatement } from '../../../lib/local/iam/policy-document.ts';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/WorkerRole`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:Work`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/work`;

/** Work's policy as CDK writes it for a rule target: only the rule `work` may send. */
const workPolicy: LocalResourcePolicy = {
  stackName: 'S', logicalId: 'WorkPolicy', resourceArns: [QUEUE_ARN],
  document: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE_ARN, Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } } }] },
};

async function engine(mode: IamMode, options: { statements?: PolicyStatement[]; outsiderName?: string; resourcePolicies?: LocalResourcePolicy[] } = {}) {
  const authorizer = new IamAuthorizer({
    mode, account: ACCOUNT, resourcePolicies: options.resourcePolicies ?? [workPolicy],
    roles: [{ stackName: 'S', logicalId: 'WorkerRole', name: 'WorkerRole', arn: ROLE, policies: [{ name: 'WorkerPolicy', document: { Statement: options.statements ?? [] } }] }],
    functions: [{ name: 'worker', roleArn: ROLE }],
    ...(options.outsiderName !== undefined && { outsiderName: options.outsiderName }),
  });
  const f = await startEngine({ iam: { authorizer, onAccessDenied: () => {} } });
  const work = f.engine.createQueue('Work', {});
  const dlq = f.engine.createQueue('WorkDlq', {});
  const worker = new SQSClient({ endpoint: f.engine.endpoint, region: f.engine.region, credentials: { accessKeyId: functionAccessKeyId('worker'), secretAccessKey: 'x' } });
  return { f, work, dlq, worker };
}

test('a function without sqs:SendMessage on the queue gets AccessDenied (JSON protocol): x-amzn-query-error AccessDenied, HTTP 403', async (t) => {
  const { f, work, worker } = await engine('enforce');
  t.after(() => f.close());
  const error = await worker.send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: 'x' })).then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
  assert.equal(error?.name, 'AccessDenied');
  assert.equal(error?.$metadata?.httpStatusCode, 403);
  assert.equal(error?.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/WorkerRole/worker is not authorized to perform: sqs:SendMessage on resource: ${QUEUE_ARN} because no identity-based or resource-based policy allows the sqs:SendMessage action`);
  assert.equal(f.engine.queueCounts('Work').visible, 0);
});

test('the SQS query protocol answers the same denial as <Code>AccessDenied</Code>, type Sender, HTTP 403', async (t) => {
  const { f, work } = await engine('enforce');
  t.after(() => f.close());
  const response = await fetch(f.engine.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=${functionAccessKeyId('worker')}/20261207/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0` },
    body: new URLSearchParams({ Action: 'SendMessage', Version: '2012-11-05', QueueUrl: work.url, MessageBody: 'x' }).toString(),
  });
  const xml = await response.text();
  assert.equal(response.status, 403);
  assert.match(xml, /<Type>Sender<\/Type>\s*<Code>AccessDenied<\/Code>/);
});

test("an identity policy granting the action lets the function send", async (t) => {
  const { f, work, worker } = await engine('enforce', { statements: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }] });
  t.after(() => f.close());
  await worker.send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: 'x' }));
  assert.equal(f.engine.queueCounts('Work').visible, 1);
});

test('an explicit Deny in the queue policy wins over the role\'s Allow, and the message says so', async (t) => {
  const deny: LocalResourcePolicy = { ...workPolicy, document: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: QUEUE_ARN }] } };
  const { f, work, worker } = await engine('enforce', { statements: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }], resourcePolicies: [deny] });
  t.after(() => f.close());
  await assert.rejects(worker.send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: 'x' })), /with an explicit deny in a resource-based policy$/);
});

test('a rule its queue policy does not name cannot deliver: the event goes to the target DLQ at once with ERROR_CODE NO_PERMISSIONS', async (t) => {
  // "for errors that result from missing permissions to a target … no retry attempts will happen
  // … EventBridge sends these events directly to the target DLQ" (EventBridge user guide, "Using
  // dead-letter queues to process undelivered events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
  const { f, work, dlq } = await engine('enforce');
  t.after(() => f.close());
  f.engine.putRule({ Name: 'work', EventPattern: JSON.stringify({ source: ['shop'] }) });
  f.engine.putRule({ Name: 'other', EventPattern: JSON.stringify({ source: ['shop'] }) });
  f.engine.putTargets('default', 'work', [{ Id: 'q', Arn: work.arn }]);
  f.engine.putTargets('default', 'other', [{ Id: 'q', Arn: work.arn, DeadLetterConfig: { Arn: dlq.arn } }]);
  await f.events.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'x', Detail: '{}' }] }));
  assert.equal(f.engine.queueCounts('Work').visible, 1);
  const [letter, ...more] = f.engine.peekMessages('WorkDlq');
  assert.deepEqual(more, []);
  assert.equal(letter?.MessageAttributes?.['ERROR_CODE']?.StringValue, 'NO_PERMISSIONS');
  const denied = await f.engine.journalQuery({ kinds: ['access.denied'] });
  assert.deepEqual(denied.map((r) => r.principal), ['events.amazonaws.com']);
});

test('calls from outside act as the administrator; with a principal named they act as that role', async (t) => {
  const admin = await engine('enforce');
  t.after(() => admin.f.close());
  await admin.f.sqs.send(new CreateQueueCommand({ QueueName: 'Made' }));
  const asWorker = await engine('enforce', { outsiderName: 'WorkerRole' });
  t.after(() => asWorker.f.close());
  await assert.rejects(asWorker.f.sqs.send(new CreateQueueCommand({ QueueName: 'Made' })), /assumed-role\/WorkerRole\/busline-cli is not authorized to perform: sqs:CreateQueue/);
});

test('with iam warn the call goes through and the journal reports it as not enforced; with off nothing is checked', async (t) => {
  const warn = await engine('warn');
  t.after(() => warn.f.close());
  await warn.worker.send(new SendMessageCommand({ QueueUrl: warn.work.url, MessageBody: 'x' }));
  assert.deepEqual((await warn.f.engine.journalQuery({ kinds: ['access.denied'] })).map((r) => r.kind === 'access.denied' && [r.action, r.enforced]), [['sqs:SendMessage', false]]);
  const off = await engine('off');
  t.after(() => off.f.close());
  await off.worker.send(new SendMessageCommand({ QueueUrl: off.work.url, MessageBody: 'x' }));
  assert.deepEqual(await off.f.engine.journalQuery({ kinds: ['access.denied'] }), []);
});
