/**
 * Audit: the journal records who published each event and who received each message, and both
 * the journal query and `busline events --principal` filter by it. A function's calls carry its
 * own credentials (function-environment.ts), so the engine names the function's role session, as
 * CloudTrail names `arn:aws:sts::<account>:assumed-role/<role>/<function>` for a Lambda's calls;
 * a caller with other credentials acts as the account's administrator (`arn:aws:iam::<account>:root`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEngine } from '../support/engine-fixture.ts';
import { IamAuthorizer } from '../../../lib/local/iam/iam-authorizer.ts';
import { functionAccessKeyId } from '../../../lib/local/iam/caller.ts';
import { run as busLineEventsRun } from '../../../lib/cli/commands/events.ts';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/CheckoutRole`;

async function engineWithCheckout() {
  const authorizer = new IamAuthorizer({
    mode: 'enforce', account: ACCOUNT, resourcePolicies: [],
    roles: [{ stackName: 'S', logicalId: 'CheckoutRole', name: 'CheckoutRole', arn: ROLE, policies: [{ name: 'P', document: { Statement: [{ Effect: 'Allow', Action: ['events:PutEvents', 'sqs:ReceiveMessage'], Resource: '*' }] } }] }],
    functions: [{ name: 'checkout', roleArn: ROLE }],
  });
  const f = await startEngine({ iam: { authorizer, onAccessDenied: () => {} } });
  // The rule may send to the queue: its policy allows events.amazonaws.com for that rule, as the
  // policy CDK writes for a queue target does ("Amazon SQS permissions", EventBridge user guide,
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions).
  const q = f.engine.createQueue('Orders', { Policy: JSON.stringify({ Statement: [{
    Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:Orders`,
    Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:us-east-1:${ACCOUNT}:rule/all` } },
  }] }) });
  f.engine.putRule({ Name: 'all', EventPattern: JSON.stringify({ source: ['shop'] }) });
  f.engine.putTargets('default', 'all', [{ Id: 'q', Arn: q.arn }]);
  const asFunction = { endpoint: f.engine.endpoint, region: f.engine.region, credentials: { accessKeyId: functionAccessKeyId('checkout'), secretAccessKey: 'x', sessionToken: 'x' } };
  return { f, q, functionEvents: new EventBridgeClient(asFunction), functionSqs: new SQSClient(asFunction) };
}

const entry = (id: string) => ({ Source: 'shop', DetailType: 'order.placed', Detail: JSON.stringify({ metadata: { id, correlationId: id }, data: {} }) });

test("the journal records the function's role session as the publisher and the receiver, and the administrator for outside callers", async (t) => {
  const { f, q, functionEvents, functionSqs } = await engineWithCheckout();
  t.after(() => f.close());
  await functionEvents.send(new PutEventsCommand({ Entries: [entry('from-fn')] }));
  await f.events.send(new PutEventsCommand({ Entries: [entry('from-cli')] }));
  await functionSqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10 }));
  const records = await f.engine.journalQuery({ kinds: ['event.accepted', 'delivery.received'] });
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/CheckoutRole/checkout`;
  assert.deepEqual(records.filter((r) => r.kind === 'event.accepted').map((r) => [r.correlationId, r.principal]), [['from-fn', session], ['from-cli', `arn:aws:iam::${ACCOUNT}:root`]]);
  assert.deepEqual(records.filter((r) => r.kind === 'delivery.received').map((r) => r.principal), [session, session]);
});

test('a journal query by principal returns that principal\'s records, by function name, role name or administrator', async (t) => {
  const { f, functionEvents } = await engineWithCheckout();
  t.after(() => f.close());
  await functionEvents.send(new PutEventsCommand({ Entries: [entry('from-fn')] }));
  await f.events.send(new PutEventsCommand({ Entries: [entry('from-cli')] }));
  const accepted = async (principal: string) => (await f.engine.journalQuery({ kinds: ['event.accepted'], principal })).map((r) => r.correlationId);
  assert.deepEqual(await accepted('checkout'), ['from-fn']);
  assert.deepEqual(await accepted('CheckoutRole'), ['from-fn']);
  assert.deepEqual(await accepted('administrator'), ['from-cli']);
});

test('busline events --principal shows only the trees of events that principal published or received', async (t) => {
  const { f, functionEvents } = await engineWithCheckout();
  t.after(() => f.close());
  await functionEvents.send(new PutEventsCommand({ Entries: [entry('from-fn')] }));
  await f.events.send(new PutEventsCommand({ Entries: [entry('from-cli')] }));
  await f.engine.journalQuery({}); // the journal file is written
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    assert.equal(await busLineEventsRun(['--principal', 'checkout', '--state', f.stateDir]), 0);
  } finally {
    console.log = log;
  }
  const out = lines.join('\n');
  assert.match(out, /id=from-fn .*by=checkout/);
  assert.doesNotMatch(out, /from-cli/);
});
