/**
 * AddPermission / RemovePermission: each permission is a statement of the queue's access policy
 * (its `Policy` attribute), as on AWS, so GetQueueAttributes shows it and SetQueueAttributes can
 * replace it.
 *
 * NOT ENFORCED LOCALLY. The engine answers every request from any caller; a policy written here
 * (or set through the Policy attribute, or declared in the template) grants and denies nothing.
 * Test access rules against AWS itself.
 *
 * Rules ("AddPermission - Amazon Simple Queue Service", SQS API reference): Label, AWSAccountIds
 * and Actions are required; the label is at most 80 of alphanumerics, - and _; the actions are
 * names of SQS actions (or *), at most 7 per statement (OverLimit); a label used twice is
 * InvalidParameterValue. "RemovePermission - Amazon Simple Queue Service": revokes the statement
 * with that label. Error texts are SQS's own (as moto_server reproduces them).
 */
import { SqsError, invalidParameter } from './errors.ts';

const LABEL = /^[A-Za-z0-9_-]{1,80}$/;
const ACTIONS = new Set([
  '*', 'ChangeMessageVisibility', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl',
  'ListDeadLetterSourceQueues', 'PurgeQueue', 'ReceiveMessage', 'SendMessage',
]);
const MAX_ACTIONS = 7;

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS: string | string[] };
  Action: string | string[];
  Resource: string;
}

interface PolicyDocument {
  Version: string;
  Id: string;
  Statement: Statement[];
}

export interface PermissionRequest {
  readonly label: string;
  readonly accountIds: readonly string[];
  readonly actions: readonly string[];
}

function parse(policy: string | undefined, queueArn: string): PolicyDocument {
  const empty: PolicyDocument = { Version: '2012-10-17', Id: `${queueArn}/SQSDefaultPolicy`, Statement: [] };
  if (!policy) return empty;
  try {
    const doc = JSON.parse(policy) as Partial<PolicyDocument>;
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement as Statement] : [];
    return { ...empty, ...doc, Statement: statements };
  } catch {
    return empty;
  }
}

/** The Policy attribute after AddPermission. */
export function policyWithPermission(policy: string | undefined, queueArn: string, request: PermissionRequest): string {
  if (!LABEL.test(request.label)) {
    throw invalidParameter(`Value ${request.label} for parameter Label is invalid. Reason: up to 80 alphanumeric characters, hyphens (-) and underscores (_).`);
  }
  if (request.actions.length === 0) throw new SqsError('MissingParameter', 'The request must contain the parameter Actions.');
  if (request.accountIds.length === 0) throw invalidParameter('Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.');
  if (request.actions.length > MAX_ACTIONS) throw new SqsError('OverLimit', `${request.actions.length} Actions were found, maximum allowed is ${MAX_ACTIONS}.`);
  const invalid = request.actions.find((a) => !ACTIONS.has(a));
  if (invalid !== undefined) {
    throw invalidParameter(`Value SQS:${invalid} for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.`);
  }
  const doc = parse(policy, queueArn);
  if (doc.Statement.some((s) => s.Sid === request.label)) {
    throw invalidParameter(`Value ${request.label} for parameter Label is invalid. Reason: Already exists.`);
  }
  const partition = queueArn.split(':')[1] ?? 'aws';
  const principals = request.accountIds.map((id) => `arn:${partition}:iam::${id}:root`);
  const actions = request.actions.map((a) => `SQS:${a}`);
  doc.Statement.push({
    Sid: request.label,
    Effect: 'Allow',
    Principal: { AWS: principals.length === 1 ? principals[0]! : principals },
    Action: actions.length === 1 ? actions[0]! : actions,
    Resource: queueArn,
  });
  return JSON.stringify(doc);
}

/** The Policy attribute after RemovePermission ('' when no statement is left: the attribute goes away). */
export function policyWithoutPermission(policy: string | undefined, queueArn: string, label: string): string {
  const doc = parse(policy, queueArn);
  const kept = doc.Statement.filter((s) => s.Sid !== label);
  if (kept.length === doc.Statement.length) {
    throw invalidParameter(`Value ${label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
  }
  return kept.length === 0 ? '' : JSON.stringify({ ...doc, Statement: kept });
}
