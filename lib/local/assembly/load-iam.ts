/**
 * The template's permissions, for the engine to enforce (lib/local/iam): IAM roles with their
 * identity policies (inline `Policies`, AWS::IAM::Policy and in-template AWS::IAM::ManagedPolicy
 * attached through `Roles` or `ManagedPolicyArns`), and resource policies (AWS::SQS::QueuePolicy,
 * AWS::Events::EventBusPolicy, an event bus's `Policy`). Policies attach after the pass over all
 * resources, since a policy may come before its role in the template.
 */
import type { StackResolver } from './intrinsics.ts';
import type { LocalResourcePolicy, LocalRole, ResourceRef } from './app-model.ts';
import type { NamedPolicy, PolicyDocument, PolicyStatement } from '../iam/policy-document.ts';

interface PendingAttachment {
  readonly policy: NamedPolicy;
  readonly roleNames: readonly string[];
}

export class IamCollector {
  private readonly roles = new Map<string, { ref: ResourceRef; name: string; arn: string; policies: NamedPolicy[]; managed: readonly string[] }>();
  private readonly attachments: PendingAttachment[] = [];
  /** In-template managed policies by name and by ARN. */
  private readonly managed = new Map<string, NamedPolicy>();
  readonly resourcePolicies: LocalResourcePolicy[] = [];

  constructor(
    private readonly account: string,
    private readonly region: string,
    private readonly warn: (ref: ResourceRef, type: string, message: string) => void,
  ) {}

  /** Reads an IAM or resource-policy resource; false when the type is none of them. */
  take(ref: ResourceRef, type: string, r: StackResolver, props: (name: string) => unknown): boolean {
    switch (type) {
      case 'AWS::IAM::Role': {
        const name = r.physicalName(ref.logicalId);
        const inline = ((props('Policies') as { PolicyName: string; PolicyDocument: PolicyDocument }[] | undefined) ?? [])
          .map((p) => ({ name: String(p.PolicyName), document: p.PolicyDocument }));
        const managed = ((props('ManagedPolicyArns') as unknown[] | undefined) ?? []).map(String);
        this.roles.set(name, { ref, name, arn: `arn:aws:iam::${this.account}:role/${name}`, policies: inline, managed });
        return true;
      }
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy': {
        const name = String(props(type === 'AWS::IAM::Policy' ? 'PolicyName' : 'ManagedPolicyName') ?? r.physicalName(ref.logicalId));
        const policy = { name, document: props('PolicyDocument') as PolicyDocument };
        if (type === 'AWS::IAM::ManagedPolicy') {
          const physical = r.physicalName(ref.logicalId);
          this.managed.set(physical, policy);
          this.managed.set(`arn:aws:iam::${this.account}:policy/${physical}`, policy);
        }
        const roleNames = ((props('Roles') as unknown[] | undefined) ?? []).map((n) => roleNameOf(String(n)));
        this.attachments.push({ policy, roleNames });
        if (props('Users') !== undefined || props('Groups') !== undefined) this.warn(ref, type, 'Users and Groups are not emulated: only the policy\'s roles are granted it locally');
        return true;
      }
      case 'AWS::SQS::QueuePolicy': {
        const queues = ((props('Queues') as unknown[] | undefined) ?? []).map((url) => this.queueArnOfUrl(String(url)));
        this.resourcePolicies.push({ ...ref, resourceArns: queues, document: props('PolicyDocument') as PolicyDocument });
        return true;
      }
      case 'AWS::Events::EventBusPolicy': {
        const bus = String(props('EventBusName') ?? 'default');
        const statement = props('Statement') as PolicyStatement | undefined;
        if (!statement) {
          this.warn(ref, type, 'a bus policy without Statement (the legacy Action/Principal/Condition form) is not enforced locally');
          return true;
        }
        this.resourcePolicies.push({ ...ref, resourceArns: [this.busArn(bus)], document: { Version: '2012-10-17', Statement: [statement] } });
        return true;
      }
      default:
        return false;
    }
  }

  /** An event bus's own `Policy` property. */
  takeBusPolicy(ref: ResourceRef, busArn: string, policy: unknown): void {
    const document = (typeof policy === 'string' ? JSON.parse(policy) : policy) as PolicyDocument;
    this.resourcePolicies.push({ ...ref, resourceArns: [busArn], document });
  }

  /** The roles with every policy attached to them. */
  finish(): LocalRole[] {
    for (const { policy, roleNames } of this.attachments) {
      for (const name of roleNames) this.roles.get(name)?.policies.push(policy);
    }
    const out: LocalRole[] = [];
    for (const role of this.roles.values()) {
      for (const arn of role.managed) {
        const policy = this.managed.get(arn);
        if (policy) {
          if (!role.policies.includes(policy)) role.policies.push(policy);
        } else {
          this.warn(role.ref, 'AWS::IAM::Role', `managed policy ${arn} is not in the template: its permissions are not known locally, so the engine does not grant them`);
        }
      }
      out.push({ ...role.ref, name: role.name, arn: role.arn, policies: role.policies });
    }
    return out;
  }

  private queueArnOfUrl(url: string): string {
    return `arn:aws:sqs:${this.region}:${this.account}:${url.split('/').pop()!}`;
  }

  private busArn(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:events:${this.region}:${this.account}:event-bus/${nameOrArn}`;
  }
}

/** A role named by name or ARN (`Roles` takes names; some templates pass ARNs). */
function roleNameOf(nameOrArn: string): string {
  const match = /:role\/(?:.*\/)?([^/]+)$/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn;
}

