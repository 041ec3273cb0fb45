/**
 * The engine remembers the checks a caller was allowed (IamAuthorizer), so it does not evaluate
 * the policies again for every request. A remembered allow must never outlive what allowed it:
 * a policy set on the resource over the wire, or a reload of the template's roles, decides anew.
 * On AWS, "an explicit deny in any of these policies overrides the allow" and a change to a
 * policy applies to the requests after it (IAM User Guide, "Policy evaluation logic",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IamAuthorizer } from '../../../lib/local/iam/iam-authorizer.ts';
import { servicePrincipal } from '../../../lib/local/iam/caller.ts';
import type { LocalRole } from '../../../lib/local/assembly/app-model.ts';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/WorkerRole`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:Work`;
const OTHER_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:Other`;
const send = (resource: string) => ({ action: 'sqs:SendMessage', resource });

const role = (resource: string): LocalRole => ({
  stackName: 'S', logicalId: 'WorkerRole', name: 'WorkerRole', arn: ROLE,
  policies: [{ name: 'WorkerPolicy', document: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resource }] } }],
});

function authorizer(grantedResource: string): IamAuthorizer {
  return new IamAuthorizer({ mode: 'enforce', account: ACCOUNT, roles: [role(grantedResource)], resourcePolicies: [], functions: [{ name: 'worker', roleArn: ROLE }] });
}

const worker = (iam: IamAuthorizer) => iam.principalNamed('worker');

test('a check allowed once is denied once a policy set on the resource over the wire denies it', () => {
  const iam = authorizer(QUEUE);
  const live = new Map<string, string>();
  iam.useLivePolicies((arn) => live.get(arn));
  const caller = worker(iam);
  assert.deepEqual(iam.authorize(caller, [send(QUEUE)]), []);
  live.set(QUEUE, JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: QUEUE }] }));
  const [denial] = iam.authorize(caller, [send(QUEUE)]);
  assert.equal(denial?.explicit, true);
  live.delete(QUEUE);
  assert.deepEqual(iam.authorize(caller, [send(QUEUE)]), []);
});

test('a check allowed once is denied after a reload whose role no longer grants it', () => {
  const iam = authorizer(QUEUE);
  const caller = worker(iam);
  assert.deepEqual(iam.authorize(caller, [send(QUEUE)]), []);
  iam.reload({ roles: [role(OTHER_QUEUE)], resourcePolicies: [], functions: [{ name: 'worker', roleArn: ROLE }] });
  assert.equal(iam.authorize(caller, [send(QUEUE)]).length, 1);
  assert.equal(iam.authorize(worker(iam), [send(QUEUE)]).length, 1);
});

test('an allowed check does not allow the same action on another resource, nor with other condition values', () => {
  const iam = new IamAuthorizer({
    mode: 'enforce', account: ACCOUNT, roles: [], functions: [],
    resourcePolicies: [{
      stackName: 'S', logicalId: 'WorkPolicy', resourceArns: [QUEUE],
      document: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: QUEUE, Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:us-east-1:${ACCOUNT}:rule/work` } } }] },
    }],
  });
  const events = servicePrincipal('events.amazonaws.com');
  const from = (rule: string) => ({ ...send(QUEUE), context: { 'aws:SourceArn': `arn:aws:events:us-east-1:${ACCOUNT}:rule/${rule}` } });
  assert.deepEqual(iam.authorize(events, [from('work')]), []);
  assert.equal(iam.authorize(events, [from('other')]).length, 1);
  assert.equal(iam.authorize(events, [{ ...from('work'), resource: OTHER_QUEUE }]).length, 1);
});
