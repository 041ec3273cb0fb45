/**
 * For a denied request, the declaration that would grant it, phrased as the team writes its stack
 * with Busline's constructs (lib/constructs): a subscription's `publishes: [...]`,
 * `flow.grantPublish(fn, topic)`, a table's `grantReadData` / `grantWriteData`, a KMS key's
 * `grantDecrypt` / `grantEncrypt`, … The engine
 * knows the flow from the template's `Busline::Flow` manifests, so it can name the subscription
 * whose function asked.
 */
import type { LocalAppModel } from '../assembly/app-model.ts';
import type { FlowManifest, FlowSubscription } from '../../schema/flow-manifest.ts';
import type { Caller } from './caller.ts';
import type { PermissionCheck } from './request-permissions.ts';

/** What was missing and what would grant it. */
export interface GrantHint {
  /** The permission, with the condition values the request carried. */
  readonly missing: string;
  /** The declaration that grants it. */
  readonly fix: string;
}

/** The KMS actions CDK's `key.grantEncrypt` grants. */
const KMS_ENCRYPT_ACTIONS = new Set(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);

const READ_ACTIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable', 'GetRecords', 'GetShardIterator']);

interface Owner {
  readonly flow: FlowManifest;
  readonly subscription: FlowSubscription;
}

export class GrantHints {
  constructor(private readonly model: Pick<LocalAppModel, 'flows' | 'functions' | 'tables' | 'queues' | 'rules' | 'buses' | 'keys'>) {}

  hint(caller: Caller, check: PermissionCheck): GrantHint {
    const missing = describe(check);
    const owner = this.subscriptionOf(caller);
    const who = owner ? `subscription '${owner.subscription.name}'` : `function ${caller.name}`;
    const fnExpr = owner ? `${camel(owner.subscription.name)}.function` : 'fn';
    if (caller.service) return { missing, fix: this.serviceFix(check) };
    if (check.action.toLowerCase() === 'events:putevents') return { missing, fix: this.publishFix(check, owner, fnExpr) };
    if (check.action.startsWith('dynamodb:')) {
      const table = this.model.tables.find((t) => check.resource === t.arn || check.resource.startsWith(`${t.arn}/`));
      const read = READ_ACTIONS.has(check.action.slice('dynamodb:'.length));
      const grant = read ? 'grantReadData' : 'grantWriteData';
      const tableName = table ? `table ${table.logicalId}` : `the table ${check.resource}`;
      return { missing, fix: `grant ${who} ${read ? 'read' : 'write'} access to ${tableName}: \`table.${grant}(${fnExpr})\` (or \`grantReadWriteData\`) in the stack` };
    }
    if (check.action.startsWith('sqs:')) {
      const queueOwner = this.queueOwner(check.resource);
      if (queueOwner && check.action === 'sqs:SendMessage') {
        return {
          missing,
          fix: `the queue of subscription '${queueOwner.subscription.name}' takes events from its rule only (its queue policy allows events.amazonaws.com for that rule): publish the topic on the bus instead (declare it in ${who}'s \`publishes: [...]\`), or grant the send explicitly with \`queue.grantSendMessages(${fnExpr})\``,
        };
      }
      const send = check.action === 'sqs:SendMessage';
      return { missing, fix: `grant ${who} ${send ? '`queue.grantSendMessages(' : '`queue.grantConsumeMessages('}${fnExpr})\` for the queue ${check.resource}` };
    }
    if (check.action.startsWith('kms:')) {
      const key = this.model.keys.find((k) => k.arn === check.resource);
      const grant = check.action === 'kms:Decrypt' ? 'grantDecrypt' : KMS_ENCRYPT_ACTIONS.has(check.action) ? 'grantEncrypt' : undefined;
      if (grant) return { missing, fix: `grant ${who} the use of ${key ? `key ${key.logicalId}` : `the key ${check.resource}`}: \`key.${grant}(${fnExpr})\` in the stack (\`grantEncryptDecrypt\` for both)` };
    }
    return { missing, fix: `grant ${who} ${check.action} on ${check.resource}: \`${fnExpr}.addToRolePolicy(new iam.PolicyStatement({ actions: ['${check.action}'], resources: ['${check.resource}'] }))\`` };
  }

  private publishFix(check: PermissionCheck, owner: Owner | undefined, fnExpr: string): string {
    const topicName = check.topic ?? '(no DetailType)';
    const bus = this.model.buses.find((b) => b.arn === check.resource);
    const flow = bus?.flow ?? owner?.flow;
    if (!flow) return `${check.resource} is not the bus of a Busline flow: grant it with \`bus.grantPutEventsTo(${fnExpr})\``;
    const topic = flow.topics.find((t) => t.name === topicName);
    if (!topic) {
      return `'${topicName}' is not a topic of flow '${flow.flow}': declare it with \`flow.addTopic('${topicName}', { source })\`, then list it in ${owner ? `subscription '${owner.subscription.name}''s \`publishes: [...]\`` : `\`flow.grantPublish(${fnExpr}, topic)\``}`;
    }
    const source = check.context?.['events:source'];
    if (source !== undefined && source !== topic.source) {
      return `topic '${topic.name}' is declared with source '${topic.source}': publish it with that source (this entry said '${source}')`;
    }
    if (owner) {
      const declared = owner.subscription.publishes;
      return `declare the topic in subscription '${owner.subscription.name}': \`publishes: [${[...declared, topic.name].map((t) => `${camel(t)}Topic`).join(', ')}]\` (topic '${topic.name}' added to ${declared.length === 0 ? 'an empty list' : `'${declared.join("', '")}'`})`;
    }
    return `grant it with \`flow.grantPublish(${fnExpr}, ${camel(topic.name)}Topic)\` (topic '${topic.name}')`;
  }

  private serviceFix(check: PermissionCheck): string {
    const owner = this.queueOwner(check.resource);
    if (owner) return `only the rule of subscription '${owner.subscription.name}' may send to its queue (its queue policy names that rule's ARN as aws:SourceArn): deliver through the subscription, or add a statement to the queue's resource policy (\`queue.addToResourcePolicy(...)\`)`;
    return `the resource policy of ${check.resource} must allow ${check.action} for this rule (\`queue.addToResourcePolicy(...)\` with aws:SourceArn = the rule's ARN)`;
  }

  private subscriptionOf(caller: Caller): Owner | undefined {
    const fn = this.model.functions.find((f) => f.name === caller.name || (caller.roleArn !== undefined && f.roleArn === caller.roleArn));
    if (!fn) return undefined;
    for (const flow of this.model.flows) {
      const subscription = flow.subscriptions.find((s) => s.resources.function === fn.logicalId);
      if (subscription) return { flow, subscription };
    }
    return undefined;
  }

  private queueOwner(queueArn: string): Owner | undefined {
    const queue = this.model.queues.find((q) => q.arn === queueArn);
    if (!queue) return undefined;
    for (const flow of this.model.flows) {
      const subscription = flow.subscriptions.find((s) => s.resources.queue === queue.logicalId);
      if (subscription) return { flow, subscription };
    }
    return undefined;
  }
}

function describe(check: PermissionCheck): string {
  const conditions = Object.entries(check.context ?? {}).map(([k, v]) => `${k} = "${v}"`);
  return `${check.action} on ${check.resource}${conditions.length > 0 ? ` with ${conditions.join(' and ')}` : ''}`;
}

/** `order.placed` → `orderPlaced`, `reserve-stock` → `reserveStock`: how a stack names the construct. */
function camel(name: string): string {
  return name.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[^A-Za-z]+/, '');
}
