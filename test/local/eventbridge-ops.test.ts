/**
 * EventBridge control-plane operations and errors (issue 13, round 2), over the wire with the
 * SDK v3 client. Each case names the AWS page it follows; cases marked `moto: true` run against
 * moto_server too, the others say where moto differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { awsError, eventBridgeTargets, scenario } from './support/eventbridge-targets.ts';
import { startEngine } from './support/engine-fixture.ts';

const { engine } = eventBridgeTargets();
const PATTERN = JSON.stringify({ source: ['ops.test'] });

async function busWithRule(events: EventBridgeClient, bus: string, rule: string): Promise<void> {
  await events.send(new CreateEventBusCommand({ Name: bus }));
  await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: PATTERN }));
}

// ---- buses -----------------------------------------------------------------------------

// "DescribeEventBus" (API reference): Name, Arn and Policy of the bus.
scenario('DescribeEventBus answers the name and ARN of a created bus', { moto: true }, async (t) => {
  const bus = t.unique('described');
  const { EventBusArn } = await t.events.send(new CreateEventBusCommand({ Name: bus }));
  const described = await t.events.send(new DescribeEventBusCommand({ Name: bus }));
  assert.equal(described.Name, bus);
  assert.equal(described.Arn, EventBusArn);
  assert.equal(described.Arn, `arn:aws:events:us-east-1:${t.account}:event-bus/${bus}`);
  assert.equal(described.Policy, undefined);
});

// "CreateEventBus" (API reference), Errors: ResourceAlreadyExistsException.
scenario('CreateEventBus of an existing name is ResourceAlreadyExistsException', { moto: true }, async (t) => {
  const bus = t.unique('twice');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new CreateEventBusCommand({ Name: bus })), awsError('ResourceAlreadyExistsException', `Event bus ${bus} already exists.`));
});

// "DescribeEventBus" (API reference), Errors: ResourceNotFoundException.
scenario('DescribeEventBus of a bus that does not exist is ResourceNotFoundException', { moto: true }, async (t) => {
  await assert.rejects(t.events.send(new DescribeEventBusCommand({ Name: t.unique('missing') })), awsError('ResourceNotFoundException', /does not exist/));
});

// "PutRule" (API reference), Errors: ResourceNotFoundException (the bus is named but missing).
scenario('PutRule on a bus that does not exist is ResourceNotFoundException', { moto: true }, async (t) => {
  await assert.rejects(t.events.send(new PutRuleCommand({ Name: 'r', EventBusName: t.unique('missing'), EventPattern: PATTERN })), awsError('ResourceNotFoundException'));
});

// "DeleteEventBus" (API reference): deletes the specified custom event bus.
scenario('DeleteEventBus removes a custom bus', { moto: true }, async (t) => {
  const bus = t.unique('deleted');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await t.events.send(new DeleteEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new DescribeEventBusCommand({ Name: bus })), awsError('ResourceNotFoundException'));
});

// "DeleteEventBus" (API reference): "You can't delete your account's default event bus."
scenario('DeleteEventBus of the default bus is a ValidationException', { moto: true }, async (t) => {
  await assert.rejects(t.events.send(new DeleteEventBusCommand({ Name: 'default' })), awsError('ValidationException', 'Cannot delete event bus default.'));
  assert.equal((await t.events.send(new DescribeEventBusCommand({ Name: 'default' }))).Name, 'default');
});

// ---- rules -----------------------------------------------------------------------------

// "DeleteRule" (API reference): "Before you can delete the rule, you must remove all targets";
// the message is the live API's (getmoto/moto#5056, checked against an AWS account).
scenario('DeleteRule of a rule that still has targets is a ValidationException, and the rule stays', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'kept');
  await t.events.send(new PutTargetsCommand({ Rule: 'kept', EventBusName: bus, Targets: [{ Id: 'q', Arn: t.queueArn('somewhere') }] }));
  await assert.rejects(t.events.send(new DeleteRuleCommand({ Name: 'kept', EventBusName: bus })), awsError('ValidationException', "Rule can't be deleted since it has targets."));
  assert.equal((await t.events.send(new DescribeRuleCommand({ Name: 'kept', EventBusName: bus }))).Name, 'kept');
});

// "DeleteRule" (API reference): remove the targets with RemoveTargets, then delete.
scenario('DeleteRule after RemoveTargets deletes the rule', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'gone');
  await t.events.send(new PutTargetsCommand({ Rule: 'gone', EventBusName: bus, Targets: [{ Id: 'q', Arn: t.queueArn('somewhere') }] }));
  await t.events.send(new RemoveTargetsCommand({ Rule: 'gone', EventBusName: bus, Ids: ['q'] }));
  await t.events.send(new DeleteRuleCommand({ Name: 'gone', EventBusName: bus }));
  await assert.rejects(t.events.send(new DescribeRuleCommand({ Name: 'gone', EventBusName: bus })), awsError('ResourceNotFoundException'));
});

// "DeleteRule" (API reference): "If you call delete rule multiple times for the same rule, all
// calls will succeed."
scenario('DeleteRule of a rule that does not exist succeeds', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await t.events.send(new DeleteRuleCommand({ Name: 'never-there', EventBusName: bus }));
});

// "DeleteRule" (API reference): "When you call delete rule for a non-existent custom eventbus,
// ResourceNotFoundException is returned." moto differs: it answers success (models.py
// delete_rule swallows the missing bus), so this case runs on the engine only.
scenario('DeleteRule on a bus that does not exist is ResourceNotFoundException', { moto: false }, async (t) => {
  await assert.rejects(t.events.send(new DeleteRuleCommand({ Name: 'r', EventBusName: t.unique('missing') })), awsError('ResourceNotFoundException'));
});

// Schedule rules are not emulated (docs/local-dev.md, fidelity table): PutRule with only a
// ScheduleExpression says so instead of accepting a rule that would never fire. Engine only.
scenario('PutRule with only a ScheduleExpression is refused, saying schedule rules are not run locally', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new PutRuleCommand({ Name: 'nightly', EventBusName: bus, ScheduleExpression: 'rate(1 day)' })), awsError('ValidationException', /ScheduleExpression are not run by the local engine/));
});

// "DisableRule" / "EnableRule" (API reference): the rule's State.
scenario('DisableRule and EnableRule set the State DescribeRule answers', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'toggled');
  await t.events.send(new DisableRuleCommand({ Name: 'toggled', EventBusName: bus }));
  assert.equal((await t.events.send(new DescribeRuleCommand({ Name: 'toggled', EventBusName: bus }))).State, 'DISABLED');
  await t.events.send(new EnableRuleCommand({ Name: 'toggled', EventBusName: bus }));
  assert.equal((await t.events.send(new DescribeRuleCommand({ Name: 'toggled', EventBusName: bus }))).State, 'ENABLED');
});

// "DisableRule" (API reference): "A disabled rule won't match any events". Engine only: the
// journal is the engine's own.
test('a disabled rule delivers nothing, and the journal says the rule is disabled [engine]', async () => {
  const f = engine();
  const { QueueUrl } = await f.sqs.send(new CreateQueueCommand({ QueueName: 'disabled-rule-target' }));
  const queueArn = f.engine.queue('disabled-rule-target').arn;
  await busWithRule(f.events, 'quiet', 'off');
  await f.events.send(new PutTargetsCommand({ Rule: 'off', EventBusName: 'quiet', Targets: [{ Id: 'q', Arn: queueArn }] }));
  await f.events.send(new DisableRuleCommand({ Name: 'off', EventBusName: 'quiet' }));
  const put = await f.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'quiet', Source: 'ops.test', DetailType: 'x', Detail: '{}' }] }));
  const eventId = put.Entries![0]!.EventId!;
  const { Messages = [] } = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(Messages.length, 0);
  const records = await f.engine.journalQuery({ eventId });
  const unmatched = records.find((r) => r.kind === 'rule.unmatched') as { rule?: string; reason?: string } | undefined;
  assert.equal(unmatched?.rule, 'off');
  assert.match(unmatched?.reason ?? '', /DISABLED/);
  assert.equal(records.some((r) => r.kind === 'rule.matched'), false);
});

// "EnableRule" (API reference), Errors: ResourceNotFoundException.
scenario('EnableRule of a rule that does not exist is ResourceNotFoundException', { moto: false }, async (t) => {
  // moto differs: enable_rule returns False for an unknown rule and the response layer answers
  // success, so this runs on the engine only.
  const bus = t.unique('bus');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new EnableRuleCommand({ Name: 'nope', EventBusName: bus })), awsError('ResourceNotFoundException'));
});

// "ListRuleNamesByTarget" (API reference): the rules that can invoke the given target.
scenario('ListRuleNamesByTarget names the rules with a target of that ARN', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'a');
  await t.events.send(new PutRuleCommand({ Name: 'b', EventBusName: bus, EventPattern: PATTERN }));
  await t.events.send(new PutRuleCommand({ Name: 'c', EventBusName: bus, EventPattern: PATTERN }));
  const shared = t.queueArn('shared');
  await t.events.send(new PutTargetsCommand({ Rule: 'a', EventBusName: bus, Targets: [{ Id: 'q', Arn: shared }] }));
  await t.events.send(new PutTargetsCommand({ Rule: 'b', EventBusName: bus, Targets: [{ Id: 'other', Arn: t.queueArn('other') }] }));
  await t.events.send(new PutTargetsCommand({ Rule: 'c', EventBusName: bus, Targets: [{ Id: 'q2', Arn: shared }] }));
  const { RuleNames } = await t.events.send(new ListRuleNamesByTargetCommand({ EventBusName: bus, TargetArn: shared }));
  assert.deepEqual(RuleNames, ['a', 'c']);
});

// ---- permissions -----------------------------------------------------------------------

// "PutPermission" and "DescribeEventBus" (API reference): the statement id names a statement of
// the bus's policy, which DescribeEventBus returns.
scenario('PutPermission adds a statement that DescribeEventBus returns in the policy', { moto: true }, async (t) => {
  const bus = t.unique('shared');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'partner' }));
  const policy = JSON.parse((await t.events.send(new DescribeEventBusCommand({ Name: bus }))).Policy!);
  const statement = policy.Statement.find((s: { Sid: string }) => s.Sid === 'partner');
  assert.deepEqual(statement.Principal, { AWS: 'arn:aws:iam::111122223333:root' });
  assert.equal(statement.Action, 'events:PutEvents');
  assert.equal(statement.Effect, 'Allow');
  assert.equal(statement.Resource, `arn:aws:events:us-east-1:${t.account}:event-bus/${bus}`);
});

// "RemovePermission" (API reference): revokes the statement with that StatementId.
scenario('RemovePermission removes the statement from the policy', { moto: true }, async (t) => {
  const bus = t.unique('shared');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'one' }));
  await t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '444455556666', StatementId: 'two' }));
  await t.events.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'one' }));
  const policy = JSON.parse((await t.events.send(new DescribeEventBusCommand({ Name: bus }))).Policy!);
  assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ['two']);
});

// "RemovePermission" (API reference), Errors: ResourceNotFoundException.
scenario('RemovePermission of an unknown statement id is ResourceNotFoundException', { moto: true }, async (t) => {
  const bus = t.unique('shared');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'one' }));
  await assert.rejects(t.events.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'nope' })), awsError('ResourceNotFoundException'));
});

// ---- PutEvents limits ------------------------------------------------------------------

// "PutEvents" (API reference): Entries has 1–10 members; more is a ValidationException of the
// whole call, not per-entry failures.
scenario('PutEvents with 11 entries is a ValidationException', { moto: true }, async (t) => {
  const entry = { Source: 'ops.test', DetailType: 'x', Detail: '{}' };
  await assert.rejects(t.events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })), awsError('ValidationException'));
});

// "PutEvents" (API reference) and "Calculating PutEvents event entry size" (user guide): the
// total entry size of a request must be under the limit (1 MB since 2026-01-29, see AWS-FACTS);
// a request over it fails as a whole. moto has no size check, so engine only.
scenario('PutEvents whose entries together are over the size limit is a ValidationException', { moto: false }, async (t) => {
  const detail = JSON.stringify({ pad: 'x'.repeat(600 * 1024) });
  const entry = { Source: 'ops.test', DetailType: 'x', Detail: detail };
  await assert.rejects(t.events.send(new PutEventsCommand({ Entries: [entry, entry] })), awsError('ValidationException', /Total size of the entries in the request is over the limit/));
  const one = await t.events.send(new PutEventsCommand({ Entries: [entry] }));
  assert.equal(one.FailedEntryCount, 0);
});

// "Calculating PutEvents event entry size" (user guide,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html): Source,
// DetailType, Detail and each Resources entry count as "the number of bytes for their UTF-8
// encoded forms", and a Time as 14 bytes. An entry of 400 Ki characters of 3-byte text is
// 1.2 MiB: over the limit though its characters are not. Engine only (moto has no size check).
scenario('PutEvents counts an entry in UTF-8 bytes, not characters', { moto: false }, async (t) => {
  const detail = JSON.stringify({ text: '€'.repeat(400 * 1024) });
  await assert.rejects(t.events.send(new PutEventsCommand({ Entries: [{ Source: 'ops.test', DetailType: 'x', Detail: detail }] })), awsError('ValidationException', /Total size of the entries in the request is over the limit/));
});

// Same page: a Time counts 14 bytes, so an entry just under the limit without Time is over it
// with one.
scenario('PutEvents counts a Time as 14 bytes of the entry', { moto: false }, async (t) => {
  const fixed = 'ops.test'.length + 'x'.length + '{"p":""}'.length;
  const detail = JSON.stringify({ p: 'x'.repeat(1024 * 1024 - fixed - 10) });
  const entry = { Source: 'ops.test', DetailType: 'x', Detail: detail };
  assert.equal((await t.events.send(new PutEventsCommand({ Entries: [entry] }))).FailedEntryCount, 0);
  await assert.rejects(t.events.send(new PutEventsCommand({ Entries: [{ ...entry, Time: new Date() }] })), awsError('ValidationException', /over the limit/));
});

// ---- input transformers ----------------------------------------------------------------

// "InputTransformer" (API reference): in a JSON template "the placeholder cannot be used as an
// object key". moto does not validate templates, so engine only.
scenario('PutTargets with a placeholder used as an object key is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { k: '$.detail.k' }, InputTemplate: '{<k>: 1}' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /object key/));
});

// "AWS::Events::Rule InputTransformer" / "InputTransformer" (API reference): InputPathsMap keys
// cannot start with "AWS.". Engine only (moto does not validate).
scenario('PutTargets with an InputPathsMap key starting with AWS. is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { 'AWS.mine': '$.detail.k' }, InputTemplate: '"<AWS.mine>"' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /AWS\./));
});

// "InputTransformer" (API reference): "You can have as many as 100 key-value pairs."
scenario('PutTargets with more than 100 InputPathsMap variables is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const paths = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.detail']));
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: paths, InputTemplate: '"<v0>"' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /at most 100/));
});

// "InputTransformer" (API reference): the template's placeholders are "filled with the values of
// the keys from InputPathsMap" (or the predefined variables of "Amazon EventBridge input
// transformation", user guide); a placeholder that is neither is refused when the target is put.
// moto does not validate templates, so engine only.
scenario('PutTargets with a template placeholder that InputPathsMap does not define is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { k: '$.detail.k' }, InputTemplate: '{"k": <k>, "other": <undefinedName>}' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /invalid placeholder <undefinedName>/));
});

// "Amazon EventBridge input transformation" (user guide): the predefined variables need no
// InputPathsMap entry.
scenario('PutTargets accepts a template using only predefined variables', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: {}, InputTemplate: '{"rule": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}' } };
  const put = await t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] }));
  assert.equal(put.FailedEntryCount, 0);
});

// "InputTransformer" (API reference): InputPathsMap keys are 1–256 characters of
// [A-Za-z0-9_-] (the API model's InputTransformerPathKey). Engine only (moto does not validate).
scenario('PutTargets with an InputPathsMap key outside [A-Za-z0-9_-] is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { 'has space': '$.detail.k' }, InputTemplate: '"<has space>"' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /key "has space" is not valid/));
});

// "InputTransformer" (API reference): each InputPathsMap value "is a valid JSON path" in dot
// notation. Engine only (moto does not validate).
scenario('PutTargets with an InputPathsMap value that is not a JSON path is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { k: 'detail.k' }, InputTemplate: '"<k>"' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /not a supported JSON path/));
});

// "Amazon EventBridge input transformation" (user guide) lists wildcards (*) among the path
// syntax AWS accepts; the engine does not emulate them and refuses the target, naming why,
// instead of delivering a value AWS would not. Engine only (a local limit).
scenario('PutTargets with a wildcard InputPathsMap path is refused as not emulated', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: { all: '$.detail.items.*' }, InputTemplate: '<all>' } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /wildcard .* does not emulate/));
});

// "InputTransformer" (API reference): InputTemplate has "Maximum length of 8192".
scenario('PutTargets with an InputTemplate over 8192 characters is a ValidationException', { moto: false }, async (t) => {
  const bus = t.unique('bus');
  await busWithRule(t.events, bus, 'r');
  const target = { Id: 't', Arn: t.queueArn('q'), InputTransformer: { InputPathsMap: {}, InputTemplate: JSON.stringify('x'.repeat(8200)) } };
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: [target] })), awsError('ValidationException', /at most 8192/));
});

// ---- errors of missing resources -------------------------------------------------------

// "PutTargets" (API reference), Errors: ResourceNotFoundException; the message as AWS words it
// (moto's, which was checked against AWS, is the same).
scenario('PutTargets on a rule that does not exist is ResourceNotFoundException naming rule and bus', { moto: true }, async (t) => {
  const bus = t.unique('bus');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new PutTargetsCommand({ Rule: 'nope', EventBusName: bus, Targets: [{ Id: 'q', Arn: t.queueArn('q') }] })), awsError('ResourceNotFoundException', `Rule nope does not exist on EventBus ${bus}.`));
});

// "DescribeEventBus" (API reference), Errors: ResourceNotFoundException, "Event bus <name> does
// not exist."
scenario('DescribeEventBus of a missing bus names it in AWS\'s words', { moto: true }, async (t) => {
  const bus = t.unique('missing');
  await assert.rejects(t.events.send(new DescribeEventBusCommand({ Name: bus })), awsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`));
});

// ---- permissions errors ----------------------------------------------------------------

// "PutPermission" (API reference): Action is events:PutEvents; another action is refused.
scenario('PutPermission with an action other than events:PutEvents is a ValidationException', { moto: true }, async (t) => {
  const bus = t.unique('shared');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(
    t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutRule', Principal: '111122223333', StatementId: 's' })),
    awsError('ValidationException', "Provided value in parameter 'action' is not supported."),
  );
});

// "RemovePermission" (API reference), Errors: ResourceNotFoundException (a bus with no policy).
scenario('RemovePermission on a bus without a policy is ResourceNotFoundException', { moto: true }, async (t) => {
  const bus = t.unique('shared');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  await assert.rejects(t.events.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 's' })), awsError('ResourceNotFoundException', 'EventBus does not have a policy.'));
});

// "PutPermission" (API reference), Errors: ResourceNotFoundException (the bus is missing).
scenario('PutPermission on a bus that does not exist is ResourceNotFoundException', { moto: true }, async (t) => {
  const bus = t.unique('missing');
  await assert.rejects(
    t.events.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 's' })),
    awsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`),
  );
});

// ---- pagination ------------------------------------------------------------------------

async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
    pages++;
  } while (token);
  return { items, pages };
}

// "ListRules" (API reference): Limit and NextToken.
scenario('ListRules pages with Limit and NextToken through every rule once', { moto: true }, async (t) => {
  const bus = t.unique('paged');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) await t.events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: PATTERN }));
  const { items, pages } = await allPages(async (token) => {
    const r = await t.events.send(new ListRulesCommand({ EventBusName: bus, Limit: 2, NextToken: token }));
    return { items: r.Rules!.map((x) => x.Name!), next: r.NextToken };
  });
  assert.deepEqual(items.sort(), ['r1', 'r2', 'r3', 'r4', 'r5']);
  assert.equal(pages, 3);
});

// "ListTargetsByRule" (API reference): Limit and NextToken.
scenario('ListTargetsByRule pages with Limit and NextToken through every target once', { moto: true }, async (t) => {
  const bus = t.unique('paged');
  await busWithRule(t.events, bus, 'r');
  const ids = ['t1', 't2', 't3', 't4', 't5'];
  await t.events.send(new PutTargetsCommand({ Rule: 'r', EventBusName: bus, Targets: ids.map((Id) => ({ Id, Arn: t.queueArn(Id) })) }));
  const { items, pages } = await allPages(async (token) => {
    const r = await t.events.send(new ListTargetsByRuleCommand({ Rule: 'r', EventBusName: bus, Limit: 2, NextToken: token }));
    return { items: r.Targets!.map((x) => x.Id!), next: r.NextToken };
  });
  assert.deepEqual(items.sort(), ids);
  assert.equal(pages, 3);
});

// "ListRuleNamesByTarget" (API reference): Limit and NextToken.
scenario('ListRuleNamesByTarget pages with Limit and NextToken', { moto: true }, async (t) => {
  const bus = t.unique('paged');
  await t.events.send(new CreateEventBusCommand({ Name: bus }));
  const arn = t.queueArn('paged-target');
  for (const name of ['a', 'b', 'c']) {
    await t.events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: PATTERN }));
    await t.events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'q', Arn: arn }] }));
  }
  const { items, pages } = await allPages(async (token) => {
    const r = await t.events.send(new ListRuleNamesByTargetCommand({ EventBusName: bus, TargetArn: arn, Limit: 2, NextToken: token }));
    return { items: r.RuleNames!, next: r.NextToken };
  });
  assert.deepEqual(items.sort(), ['a', 'b', 'c']);
  assert.equal(pages, 2);
});

// "ListEventBuses" (API reference): Limit and NextToken. moto differs: it ignores Limit and
// never answers a NextToken (models.py list_event_buses), so engine only.
scenario('ListEventBuses pages with Limit and NextToken', { moto: false }, async (t) => {
  const prefix = t.unique('listed');
  for (const i of [1, 2, 3]) await t.events.send(new CreateEventBusCommand({ Name: `${prefix}-${i}` }));
  const { items, pages } = await allPages(async (token) => {
    const r = await t.events.send(new ListEventBusesCommand({ NamePrefix: prefix, Limit: 2, NextToken: token }));
    return { items: r.EventBuses!.map((b) => b.Name!), next: r.NextToken };
  });
  assert.deepEqual(items, [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
  assert.equal(pages, 2);
});

// "ListRules" (API reference): Limit's valid range is 1–100.
scenario('ListRules with Limit 0 is a ValidationException', { moto: false }, async (t) => {
  // moto differs: it accepts any Limit.
  await assert.rejects(t.events.send(new ListRulesCommand({ Limit: 0 })), awsError('ValidationException'));
});

// ---- restart ---------------------------------------------------------------------------

test('buses, rules, their states and targets, and bus policies made over the wire survive a restart', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  await busWithRule(f.events, 'kept', 'on');
  await f.events.send(new PutRuleCommand({ Name: 'off', EventBusName: 'kept', EventPattern: PATTERN, Description: 'disabled later' }));
  await f.events.send(new DisableRuleCommand({ Name: 'off', EventBusName: 'kept' }));
  await f.events.send(new PutTargetsCommand({ Rule: 'on', EventBusName: 'kept', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:kept-q' }] }));
  await f.events.send(new PutPermissionCommand({ EventBusName: 'kept', Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'partner' }));
  await busWithRule(f.events, 'dropped', 'x');
  await f.events.send(new DeleteEventBusCommand({ Name: 'dropped' }));
  const before = (await f.events.send(new DescribeEventBusCommand({ Name: 'kept' }))).Policy;

  f = await f.restart();
  assert.equal((await f.events.send(new DescribeEventBusCommand({ Name: 'kept' }))).Policy, before);
  assert.equal((await f.events.send(new DescribeRuleCommand({ Name: 'on', EventBusName: 'kept' }))).State, 'ENABLED');
  const off = await f.events.send(new DescribeRuleCommand({ Name: 'off', EventBusName: 'kept' }));
  assert.equal(off.State, 'DISABLED');
  assert.equal(off.Description, 'disabled later');
  assert.deepEqual((await f.events.send(new ListTargetsByRuleCommand({ Rule: 'on', EventBusName: 'kept' }))).Targets!.map((x) => x.Id), ['q']);
  await assert.rejects(f.events.send(new DescribeEventBusCommand({ Name: 'dropped' })), awsError('ResourceNotFoundException'));
});

test('declarations survive a restart after a snapshot (compaction) [engine]', async (t) => {
  let f = await startEngine({ compactLogAfterBytes: 500 });
  t.after(() => f.close());
  for (let i = 0; i < 8; i++) await busWithRule(f.events, `compacted-${i}`, 'r');
  await f.events.send(new DisableRuleCommand({ Name: 'r', EventBusName: 'compacted-7' }));
  f = await f.restart();
  const names = (await f.events.send(new ListEventBusesCommand({ NamePrefix: 'compacted-' }))).EventBuses!.map((b) => b.Name);
  assert.equal(names.length, 8);
  assert.equal((await f.events.send(new DescribeRuleCommand({ Name: 'r', EventBusName: 'compacted-7' }))).State, 'DISABLED');
});
