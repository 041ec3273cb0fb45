/**
 * Decides one request against the policies that apply to it, for a principal and a resource of
 * the same account, following "Policy evaluation logic" (IAM User Guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html, and
 * "Policy evaluation for requests within a single account",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html):
 * 1. an explicit Deny in any applicable policy (identity or resource) denies;
 * 2. otherwise an Allow in the identity-based policies, or in the resource-based policy for this
 *    principal, allows ("if either the identity-based policy or the resource-based policy within
 *    the same account allows the request and the other doesn't, the request is still allowed");
 * 3. otherwise the request is implicitly denied.
 * A resource policy naming the account (`arn:aws:iam::<account>:root` or the account id) grants
 * nothing by itself: it delegates to the account's identity policies.
 * Not evaluated: SCPs, RCPs, permissions boundaries, session policies (docs/security.md).
 */
import { conditionsHold, type ConditionContext } from './condition-operators.ts';
import { asList, type NamedPolicy, type PolicyPrincipal, type PolicyStatement } from './policy-document.ts';
import { wildcardMatch } from './wildcard-match.ts';

/** Who asks: an IAM role (or the administrator) by ARN, or an AWS service principal. */
export interface RequestPrincipal {
  readonly account: string;
  /** The role's (or user's) ARN; absent for a service principal. */
  readonly arn?: string;
  /** A service principal, e.g. `events.amazonaws.com`. */
  readonly service?: string;
}

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, e.g. `events:PutEvents`. */
  readonly action: string;
  readonly resource: string;
  readonly context: ConditionContext;
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface PolicyEvaluation {
  readonly decision: PolicyDecision;
  /** The statement that decided an explicit Deny or an Allow. */
  readonly decidedBy?: { readonly policy: string; readonly sid?: string; readonly policyType: 'identity-based' | 'resource-based' };
}

export interface PoliciesInForce {
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: NamedPolicy;
}

export function evaluatePolicies(request: AuthorizationRequest, policies: PoliciesInForce): PolicyEvaluation {
  const resource = policies.resourcePolicy;
  const identity = policies.identityPolicies.map((policy) => ({ policy, policyType: 'identity-based' as const }));
  const all = resource ? [...identity, { policy: resource, policyType: 'resource-based' as const }] : identity;
  for (const { policy, policyType } of all) {
    for (const statement of asList(policy.document.Statement)) {
      if (statement.Effect !== 'Deny') continue;
      if (policyType === 'resource-based' && !principalApplies(statement, request.principal, true)) continue;
      if (statementApplies(statement, request)) return { decision: 'explicit-deny', decidedBy: decided(policy, statement, policyType) };
    }
  }
  for (const { policy, policyType } of all) {
    for (const statement of asList(policy.document.Statement)) {
      if (statement.Effect !== 'Allow') continue;
      if (policyType === 'resource-based' && !principalApplies(statement, request.principal, false)) continue;
      if (statementApplies(statement, request)) return { decision: 'allow', decidedBy: decided(policy, statement, policyType) };
    }
  }
  return { decision: 'implicit-deny' };
}

function decided(policy: NamedPolicy, statement: PolicyStatement, policyType: 'identity-based' | 'resource-based'): NonNullable<PolicyEvaluation['decidedBy']> {
  return { policy: policy.name, policyType, ...(statement.Sid !== undefined ? { sid: statement.Sid } : {}) };
}

function statementApplies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const actionMatches = (patterns: readonly string[]) => patterns.some((p) => wildcardMatch(p, request.action, true));
  if (statement.Action !== undefined && !actionMatches(asList(statement.Action))) return false;
  if (statement.NotAction !== undefined && actionMatches(asList(statement.NotAction))) return false;
  const resourceMatches = (patterns: readonly string[]) => patterns.some((p) => wildcardMatch(p, request.resource));
  if (statement.Resource !== undefined && !resourceMatches(asList(statement.Resource))) return false;
  if (statement.NotResource !== undefined && resourceMatches(asList(statement.NotResource))) return false;
  return conditionsHold(statement.Condition, request.context);
}

/**
 * Whether a resource-policy statement speaks of this principal. `forDeny`: a Deny naming the
 * account applies to everyone in it, while an Allow naming the account only delegates to IAM.
 */
function principalApplies(statement: PolicyStatement, principal: RequestPrincipal, forDeny: boolean): boolean {
  if (statement.Principal !== undefined) return principalMatches(statement.Principal, principal, forDeny);
  if (statement.NotPrincipal !== undefined) return !principalMatches(statement.NotPrincipal, principal, true);
  return false;
}

function principalMatches(element: PolicyPrincipal, principal: RequestPrincipal, accountCoversAll: boolean): boolean {
  if (element === '*') return true;
  for (const [type, values] of Object.entries(element)) {
    for (const value of asList(values)) {
      if (value === '*') return true;
      if (type === 'Service' && principal.service !== undefined && value.toLowerCase() === principal.service.toLowerCase()) return true;
      if (type !== 'AWS' || principal.arn === undefined) continue;
      if (value === principal.arn) return true;
      const namesAccount = value === principal.account || value === `arn:aws:iam::${principal.account}:root`;
      if (namesAccount && accountCoversAll) return true;
    }
  }
  return false;
}
