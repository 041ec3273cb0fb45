/**
 * The evaluator against the rules of the IAM User Guide:
 * - "Policy evaluation logic" / "Policy evaluation for requests within a single account"
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
 * - "IAM JSON policy elements: Condition operators"
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicies, type AuthorizationRequest } from '../../../lib/local/iam/policy-evaluation.ts';
import type { NamedPolicy, PolicyStatement } from '../../../lib/local/iam/policy-document.ts';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Publisher`;
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shop`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:work`;
const RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop/work`;

function policy(...statements: PolicyStatement[]): NamedPolicy {
  return { name: 'P', document: { Version: '2012-10-17', Statement: statements } };
}
function request(action: string, resource: string, context: Record<string, string> = {}, principal: AuthorizationRequest['principal'] = { account: ACCOUNT, arn: ROLE }): AuthorizationRequest {
  return { principal, action, resource, context: new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), [v]])) };
}
const publishSignup = policy({
  Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS,
  Condition: { StringEquals: { 'events:detail-type': 'user.signed-up', 'events:source': 'app.users' } },
});

test('with no policy allowing it, a request is implicitly denied', () => {
  assert.equal(evaluatePolicies(request('events:PutEvents', BUS), { identityPolicies: [] }).decision, 'implicit-deny');
});

test('an identity policy allows the action on the resource when every condition key matches', () => {
  const r = request('events:PutEvents', BUS, { 'events:detail-type': 'user.signed-up', 'events:source': 'app.users' });
  assert.equal(evaluatePolicies(r, { identityPolicies: [publishSignup] }).decision, 'allow');
});

test('one condition key that does not match leaves the request implicitly denied (the keys of a condition are ANDed)', () => {
  const r = request('events:PutEvents', BUS, { 'events:detail-type': 'user.deleted', 'events:source': 'app.users' });
  assert.equal(evaluatePolicies(r, { identityPolicies: [publishSignup] }).decision, 'implicit-deny');
});

test('several values for one condition key match when any of them does (ORed)', () => {
  const p = policy({ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS, Condition: { StringEquals: { 'events:detail-type': ['a', 'b'] } } });
  assert.equal(evaluatePolicies(request('events:PutEvents', BUS, { 'events:detail-type': 'b' }), { identityPolicies: [p] }).decision, 'allow');
});

test('a condition key missing from the request makes a condition false, and a negated condition true', () => {
  const positive = policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnEquals: { 'aws:SourceArn': RULE } } });
  const negated = policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnNotEquals: { 'aws:SourceArn': RULE } } });
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [positive] }).decision, 'implicit-deny');
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [negated] }).decision, 'allow');
});

test('an explicit deny overrides an allow in another policy', () => {
  const deny = policy({ Sid: 'NoTls', Effect: 'Deny', Action: 'events:*', Resource: '*' });
  const r = request('events:PutEvents', BUS, { 'events:detail-type': 'user.signed-up', 'events:source': 'app.users' });
  const result = evaluatePolicies(r, { identityPolicies: [publishSignup, deny] });
  assert.equal(result.decision, 'explicit-deny');
  assert.equal(result.decidedBy?.sid, 'NoTls');
});

test('action names match case-insensitively and with wildcards; resources match with * and ?', () => {
  const p = policy({ Effect: 'Allow', Action: 'SQS:Receive*', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:wor?` });
  assert.equal(evaluatePolicies(request('sqs:ReceiveMessage', QUEUE), { identityPolicies: [p] }).decision, 'allow');
  assert.equal(evaluatePolicies(request('sqs:ReceiveMessage', `${QUEUE}s`), { identityPolicies: [p] }).decision, 'implicit-deny');
});

test('NotAction allows every action except those listed', () => {
  const p = policy({ Effect: 'Allow', NotAction: 'sqs:DeleteQueue', Resource: '*' });
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [p] }).decision, 'allow');
  assert.equal(evaluatePolicies(request('sqs:DeleteQueue', QUEUE), { identityPolicies: [p] }).decision, 'implicit-deny');
});

test('within one account, a resource policy allowing the principal is enough without an identity policy', () => {
  const queuePolicy = policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnEquals: { 'aws:SourceArn': RULE } } });
  const fromRule = request('sqs:SendMessage', QUEUE, { 'aws:SourceArn': RULE }, { account: ACCOUNT, service: 'events.amazonaws.com' });
  assert.equal(evaluatePolicies(fromRule, { identityPolicies: [], resourcePolicy: queuePolicy }).decision, 'allow');
});

test('a resource policy statement for another principal grants nothing', () => {
  const queuePolicy = policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE });
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [], resourcePolicy: queuePolicy }).decision, 'implicit-deny');
});

test('a service principal sending for another rule (aws:SourceArn) is denied by the queue policy', () => {
  const queuePolicy = policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnEquals: { 'aws:SourceArn': RULE } } });
  const other = request('sqs:SendMessage', QUEUE, { 'aws:SourceArn': `${RULE}-other` }, { account: ACCOUNT, service: 'events.amazonaws.com' });
  assert.equal(evaluatePolicies(other, { identityPolicies: [], resourcePolicy: queuePolicy }).decision, 'implicit-deny');
});

test('a resource policy Allow naming the account delegates to identity policies (grants nothing by itself)', () => {
  const queuePolicy = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sqs:*', Resource: QUEUE });
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [], resourcePolicy: queuePolicy }).decision, 'implicit-deny');
});

test('a resource policy Deny for every principal applies to the role too', () => {
  const queuePolicy = policy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: QUEUE, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  const allowAll = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
  const plain = request('sqs:SendMessage', QUEUE, { 'aws:SecureTransport': 'false' });
  const tls = request('sqs:SendMessage', QUEUE, { 'aws:SecureTransport': 'true' });
  assert.equal(evaluatePolicies(plain, { identityPolicies: [allowAll], resourcePolicy: queuePolicy }).decision, 'explicit-deny');
  assert.equal(evaluatePolicies(tls, { identityPolicies: [allowAll], resourcePolicy: queuePolicy }).decision, 'allow');
});

test('StringLike matches with wildcards, and IfExists holds when the key is absent', () => {
  const like = policy({ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS, Condition: { StringLike: { 'events:detail-type': 'user.*' } } });
  assert.equal(evaluatePolicies(request('events:PutEvents', BUS, { 'events:detail-type': 'user.deleted' }), { identityPolicies: [like] }).decision, 'allow');
  const ifExists = policy({ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS, Condition: { StringEqualsIfExists: { 'events:source': 'app.users' } } });
  assert.equal(evaluatePolicies(request('events:PutEvents', BUS), { identityPolicies: [ifExists] }).decision, 'allow');
});

test('the Null operator tests whether a key is present', () => {
  const p = policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { Null: { 'aws:SourceArn': 'true' } } });
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE), { identityPolicies: [p] }).decision, 'allow');
  assert.equal(evaluatePolicies(request('sqs:SendMessage', QUEUE, { 'aws:SourceArn': RULE }), { identityPolicies: [p] }).decision, 'implicit-deny');
});
