/**
 * Enforces the template's permissions on the requests the engine serves: finds who is calling
 * (caller.ts), which permissions the request needs (request-permissions.ts), the policies in force
 * (the caller's role, the resource's policy) and decides each (policy-evaluation.ts). Modes:
 * `enforce` denies, `warn` reports the denial and lets the request through, `off` evaluates
 * nothing.
 */
import type { LocalFunction, LocalResourcePolicy, LocalRole } from '../assembly/app-model.ts';
import { administrator, assumedRole, functionAccessKeyId, type Caller } from './caller.ts';
import type { GrantHints } from './grant-hints.ts';
import { asList, type NamedPolicy, type PolicyDocument, type PolicyStatement } from './policy-document.ts';
import { evaluatePolicies } from './policy-evaluation.ts';
import type { PermissionCheck } from './request-permissions.ts';

/** `enforce`: deny what the policies do not allow; `warn`: report it and let it through; `off`: check nothing. */
export type IamMode = 'enforce' | 'warn' | 'off';
export const IAM_MODES: readonly IamMode[] = ['enforce', 'warn', 'off'];

/** A request the policies do not allow. */
export interface AccessDenial {
  readonly caller: Caller;
  readonly check: PermissionCheck;
  /** An explicit Deny decided it (else nothing allowed it). */
  readonly explicit: boolean;
  /** AWS's message for it ("User: … is not authorized to perform: … on resource: … because …"). */
  readonly message: string;
  /** The permission that was missing, with the request's condition values. */
  readonly missing: string;
  /** The declaration that would grant it. */
  readonly fix: string;
  /** False in `warn` mode: the request went through. */
  readonly enforced: boolean;
}

export interface IamAuthorizerOptions {
  readonly mode: IamMode;
  readonly account: string;
  readonly roles: readonly LocalRole[];
  readonly resourcePolicies: readonly LocalResourcePolicy[];
  /** Functions get credentials of their own, mapped back to them and their role. */
  readonly functions: readonly Pick<LocalFunction, 'name' | 'roleArn'>[];
  readonly hints?: GrantHints;
  /**
   * Who requests signed with unknown credentials (the CLI, a developer's SDK) act as: a role of
   * the template (name, ARN or logical id), a function (its role), or `administrator`.
   * @default 'administrator'
   */
  readonly outsiderName?: string;
}

const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** Distinct allowed checks remembered per caller; past that the caller's set starts over. */
const MAX_ALLOWED_PER_CALLER = 10_000;

/** A check and the live policy text of its resource, as one key. */
function allowedKey(check: PermissionCheck, livePolicy: string | undefined): string {
  return `${check.action}\u0000${check.resource}\u0000${check.context ? JSON.stringify(check.context) : ''}\u0000${livePolicy ?? ''}`;
}

export class IamAuthorizer {
  readonly mode: IamMode;
  readonly outsider: Caller;
  private readonly byAccessKey = new Map<string, Caller>();
  private roles = new Map<string, LocalRole>();
  private readonly resourcePolicies = new Map<string, PolicyStatement[]>();
  private livePolicy: (resourceArn: string) => string | undefined = () => undefined;
  private options: IamAuthorizerOptions;
  /**
   * The checks each caller was allowed, keyed by allowedKey(): a decision depends only on the
   * caller, the check and the policies in force (the template's, replaced on reload, which starts
   * this over, and the live policy text, part of the key), and the engine asks the same few on
   * every request. Denials are decided every time.
   */
  private allowed = new WeakMap<Caller, Set<string>>();

  constructor(options: IamAuthorizerOptions) {
    this.options = options;
    this.mode = options.mode;
    this.load(options);
    this.outsider = this.principalNamed(options.outsiderName ?? 'administrator');
  }

  /**
   * The roles, resource policies and functions of a changed assembly (`busline dev` reloading the
   * stack): calls are checked against them from now on. The mode and the outsider stay.
   */
  reload(next: Pick<IamAuthorizerOptions, 'roles' | 'resourcePolicies' | 'functions' | 'hints'>): void {
    this.options = { ...this.options, ...next };
    this.load(this.options);
  }

  private load(options: IamAuthorizerOptions): void {
    this.allowed = new WeakMap();
    this.roles = new Map(options.roles.map((r) => [r.arn, r]));
    this.byAccessKey.clear();
    for (const fn of options.functions) {
      if (fn.roleArn !== undefined) this.byAccessKey.set(functionAccessKeyId(fn.name), assumedRole(options.account, fn.roleArn, fn.name));
    }
    this.resourcePolicies.clear();
    for (const policy of options.resourcePolicies) {
      for (const arn of policy.resourceArns) {
        const statements = this.resourcePolicies.get(arn) ?? [];
        statements.push(...asList(policy.document.Statement));
        this.resourcePolicies.set(arn, statements);
      }
    }
  }

  /**
   * Where the policies set over the wire live (a queue's `Policy` attribute, a bus's policy from
   * PutPermission): their statements apply beside the template's, as on AWS.
   */
  useLivePolicies(lookup: (resourceArn: string) => string | undefined): void {
    this.livePolicy = lookup;
  }

  /** The caller of a request signed with this access key id (unknown keys: the outsider). */
  callerOf(accessKeyId: string | undefined): Caller {
    return (accessKeyId !== undefined ? this.byAccessKey.get(accessKeyId) : undefined) ?? this.outsider;
  }

  /** The denials among `checks` (none in `off` mode). */
  authorize(caller: Caller, checks: readonly PermissionCheck[]): AccessDenial[] {
    if (this.mode === 'off' || checks.length === 0) return [];
    const denials: AccessDenial[] = [];
    for (const check of checks) {
      const denial = this.decide(caller, check);
      if (denial) denials.push(denial);
    }
    return denials;
  }

  private decide(caller: Caller, check: PermissionCheck): AccessDenial | undefined {
    const live = this.livePolicy(check.resource);
    const key = allowedKey(check, live);
    let allowed = this.allowed.get(caller);
    if (allowed?.has(key)) return undefined;
    const identityPolicies = caller.administrator ? [ADMINISTRATOR_ACCESS] : caller.roleArn !== undefined ? this.roles.get(caller.roleArn)?.policies ?? [] : [];
    const statements = this.resourceStatements(check.resource, live);
    const context = new Map<string, string[]>([['aws:securetransport', ['true']], ['aws:principalaccount', [this.options.account]]]);
    if (caller.roleArn !== undefined) context.set('aws:principalarn', [caller.roleArn]);
    for (const [key, value] of Object.entries(check.context ?? {})) context.set(key.toLowerCase(), [value]);
    const evaluation = evaluatePolicies(
      {
        principal: { account: this.options.account, ...(caller.service ? { service: caller.service } : { arn: caller.roleArn ?? caller.arn }) },
        action: check.action, resource: check.resource, context,
      },
      { identityPolicies, ...(statements ? { resourcePolicy: { name: `resource policy of ${check.resource}`, document: { Statement: statements } } } : {}) },
    );
    if (evaluation.decision === 'allow') {
      if (!allowed) this.allowed.set(caller, (allowed = new Set()));
      if (allowed.size >= MAX_ALLOWED_PER_CALLER) allowed.clear();
      allowed.add(key);
      return undefined;
    }
    const explicit = evaluation.decision === 'explicit-deny';
    const because = explicit
      ? `with an explicit deny in a ${evaluation.decidedBy?.policyType ?? 'identity-based'} policy`
      : `because no ${caller.service || statements ? 'identity-based or resource-based' : 'identity-based'} policy allows the ${check.action} action`;
    const hint = this.options.hints?.hint(caller, check) ?? { missing: `${check.action} on ${check.resource}`, fix: `grant ${check.action} on ${check.resource}` };
    return {
      caller, check, explicit,
      message: `User: ${caller.arn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${because}`,
      missing: hint.missing, fix: hint.fix, enforced: this.mode === 'enforce',
    };
  }

  /** The template's statements for the resource, and those of the policy set on it over the wire. */
  private resourceStatements(resourceArn: string, text: string | undefined): PolicyStatement[] | undefined {
    const declared = this.resourcePolicies.get(resourceArn) ?? [];
    let live: readonly PolicyStatement[] = [];
    if (text) {
      try {
        live = asList((JSON.parse(text) as PolicyDocument).Statement);
      } catch {
        live = []; // SetQueueAttributes and PutPermission refuse a policy that is not JSON; nothing to apply.
      }
    }
    const all = [...declared, ...live];
    return all.length > 0 ? all : undefined;
  }

  /**
   * The caller a `--principal` names: a role of the template (name, ARN or logical id), a
   * function (its role), or `administrator`. Throws when nothing matches, listing what does.
   */
  principalNamed(name: string): Caller {
    if (name === 'administrator' || name === 'admin') return administrator(this.options.account);
    const fn = this.options.functions.find((f) => f.name === name);
    if (fn?.roleArn !== undefined) return assumedRole(this.options.account, fn.roleArn, fn.name);
    const role = [...this.roles.values()].find((r) => r.arn === name || r.name === name || r.logicalId === name);
    if (role) return assumedRole(this.options.account, role.arn, 'busline-cli');
    const known = [...this.roles.values()].map((r) => r.name);
    throw new Error(`no role or function named '${name}' in the template (roles: ${known.join(', ') || 'none'}; or 'administrator')`);
  }
}
