/**
 * Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::ImportValue, Fn::Base64, Fn::GetAZs,
 * conditions) in one stack's template to the local physical names and ARNs the engine uses.
 */
import type { CfnResource, CfnTemplate } from './cloud-assembly.ts';
import { generatedKeyId, generatedName } from './physical-names.ts';

export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

/** Marker for AWS::NoValue: the property or list element is dropped. */
const NO_VALUE = Symbol('AWS::NoValue');

export interface StackContext {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** Queue URL for a queue name, in the engine's URL scheme. */
  readonly queueUrl: (name: string) => string;
  /** Values exported by stacks resolved earlier (Fn::ImportValue). */
  readonly exports: ReadonlyMap<string, unknown>;
}

/** The property holding an explicit physical name, per resource type. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::KMS::Alias': 'AliasName',
};

export class StackResolver {
  private readonly names = new Map<string, string>();
  private readonly resolvingNames = new Set<string>();
  private readonly conditionCache = new Map<string, boolean>();

  constructor(readonly ctx: StackContext) {}

  get resources(): Record<string, CfnResource> {
    return this.ctx.template.Resources ?? {};
  }

  /** True when the resource has no Condition or its condition holds. */
  isCreated(logicalId: string): boolean {
    const condition = this.resources[logicalId]?.Condition;
    return condition === undefined || this.condition(condition);
  }

  /** The physical name of a resource: its explicit name property, else a generated one. */
  physicalName(logicalId: string): string {
    const cached = this.names.get(logicalId);
    if (cached !== undefined) return cached;
    const resource = this.resources[logicalId];
    if (!resource) throw new UnresolvableError(`no resource ${logicalId} in stack ${this.ctx.stackName}`);
    if (this.resolvingNames.has(logicalId)) {
      throw new UnresolvableError(`the name of ${logicalId} refers to itself`);
    }
    this.resolvingNames.add(logicalId);
    try {
      const prop = NAME_PROPERTY[resource.Type];
      const explicit = prop ? resource.Properties?.[prop] : undefined;
      let name: string;
      if (explicit !== undefined) {
        name = String(this.resolve(explicit, `${logicalId}.${prop}`));
      } else if (resource.Type === 'AWS::KMS::Key') {
        name = generatedKeyId(this.ctx.stackName, logicalId);
      } else {
        const fifo = resource.Type === 'AWS::SQS::Queue' && isTrue(this.resolve(resource.Properties?.FifoQueue ?? false, logicalId));
        name = generatedName(this.ctx.stackName, logicalId, resource.Type, fifo ? '.fifo' : '');
      }
      this.names.set(logicalId, name);
      return name;
    } finally {
      this.resolvingNames.delete(logicalId);
    }
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.ctx.region}:${this.ctx.account}:${resource}`;
  }

  ref(logicalId: string): string {
    const pseudo = this.pseudoParameter(logicalId);
    if (pseudo !== undefined) return pseudo;
    const param = this.ctx.template.Parameters?.[logicalId];
    if (param) {
      if (param.Default === undefined || String(param.Type).startsWith('AWS::SSM::Parameter')) {
        throw new UnresolvableError(`parameter ${logicalId} has no local value (SSM parameters and parameters without a default cannot be resolved locally)`);
      }
      return String(param.Default);
    }
    const resource = this.resources[logicalId];
    if (!resource) throw new UnresolvableError(`Ref to unknown ${logicalId}`);
    const name = this.physicalName(logicalId);
    if (resource.Type === 'AWS::SQS::Queue') return this.ctx.queueUrl(name);
    return name;
  }

  getAtt(logicalId: string, attribute: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new UnresolvableError(`Fn::GetAtt on unknown resource ${logicalId}`);
    const name = this.physicalName(logicalId);
    const type = resource.Type;
    switch (`${type}.${attribute}`) {
      case 'AWS::SQS::Queue.Arn': return this.arn('sqs', name);
      case 'AWS::SQS::Queue.QueueName': return name;
      case 'AWS::SQS::Queue.QueueUrl': return this.ctx.queueUrl(name);
      case 'AWS::Events::EventBus.Arn': return this.arn('events', `event-bus/${name}`);
      case 'AWS::Events::EventBus.Name': return name;
      case 'AWS::Events::Rule.Arn': {
        const bus = resource.Properties?.EventBusName;
        const busName = bus === undefined ? 'default' : busNameOf(String(this.resolve(bus, `${logicalId}.EventBusName`)));
        return this.arn('events', busName === 'default' ? `rule/${name}` : `rule/${busName}/${name}`);
      }
      case 'AWS::Events::Archive.Arn': return this.arn('events', `archive/${name}`);
      case 'AWS::Lambda::Function.Arn': return this.arn('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table.Arn': return this.arn('dynamodb', `table/${name}`);
      case 'AWS::DynamoDB::Table.StreamArn': return this.arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`);
      case 'AWS::IAM::Role.Arn': return `arn:aws:iam::${this.ctx.account}:role/${name}`;
      case 'AWS::Logs::LogGroup.Arn': return this.arn('logs', `log-group:${name}:*`);
      case 'AWS::KMS::Key.Arn': return this.arn('kms', `key/${name}`);
      default:
        if (attribute === 'Arn') {
          const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
          return this.arn(service, name);
        }
        throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} (${type}) has no local value`);
    }
  }

  /** Resolves every intrinsic in `value`; `where` names the property for error messages. */
  resolve(value: unknown, where: string): unknown {
    const out = this.resolveInner(value, where);
    return out === NO_VALUE ? undefined : out;
  }

  private resolveInner(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.resolveInner(v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') {
        return this.intrinsic(key, arg, where);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.resolveInner(v, `${where}.${k}`);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private intrinsic(key: string, arg: unknown, where: string): unknown {
    const str = (v: unknown): string => {
      const r = this.resolveInner(v, where);
      if (typeof r === 'object' && r !== null) throw new UnresolvableError(`${where}: expected a string, got ${JSON.stringify(r)}`);
      return String(r);
    };
    switch (key) {
      case 'Ref':
        if (arg === 'AWS::NoValue') return NO_VALUE;
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.+)/);
        return this.getAtt(logicalId!, attribute!);
      }
      case 'Fn::Join': {
        const [sep, list] = arg as [string, unknown];
        const items = this.resolveInner(list, where);
        if (!Array.isArray(items)) throw new UnresolvableError(`${where}: Fn::Join needs a list`);
        return items.map((i) => String(i)).join(sep);
      }
      case 'Fn::Sub': return this.sub(arg, where);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = this.resolveInner(list, where);
        const i = Number(this.resolveInner(index, where));
        if (!Array.isArray(items) || i < 0 || i >= items.length) throw new UnresolvableError(`${where}: Fn::Select index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return str(source).split(sep);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.resolveInner(this.condition(condition) ? whenTrue : whenFalse, where);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((a) => str(a));
        const found = this.ctx.template.Mappings?.[map!]?.[top!]?.[second!];
        if (found === undefined) throw new UnresolvableError(`${where}: Fn::FindInMap ${map}.${top}.${second} not found`);
        return found;
      }
      case 'Fn::ImportValue': {
        const name = str(arg);
        if (!this.ctx.exports.has(name)) throw new UnresolvableError(`${where}: no stack in the assembly exports ${name}`);
        return this.ctx.exports.get(name);
      }
      case 'Fn::Base64': return Buffer.from(str(arg)).toString('base64');
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${this.ctx.region}${z}`);
      case 'Fn::Equals': case 'Fn::Not': case 'Fn::And': case 'Fn::Or': case 'Condition':
        return this.evaluateCondition({ [key]: arg });
      default:
        throw new UnresolvableError(`${where}: ${key} is not supported locally`);
    }
  }

  private sub(arg: unknown, where: string): string {
    const [template, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return template.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (vars && name in vars) return String(this.resolveInner(vars[name], where));
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = name.split(/\.(.+)/);
        return this.getAtt(id!, attr!);
      }
      return this.ref(name);
    });
  }

  private pseudoParameter(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region': return this.ctx.region;
      case 'AWS::AccountId': return this.ctx.account;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.ctx.stackName;
      case 'AWS::StackId': return `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.account}:stack/${this.ctx.stackName}/local`;
      default: return undefined;
    }
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const expr = this.ctx.template.Conditions?.[name];
    if (expr === undefined) throw new UnresolvableError(`unknown condition ${name}`);
    const result = this.evaluateCondition(expr);
    this.conditionCache.set(name, result);
    return result;
  }

  private evaluateCondition(expr: unknown): boolean {
    const [key, arg] = Object.entries(expr as Record<string, unknown>)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [arg];
    switch (key) {
      case 'Condition': return this.condition(String(arg));
      case 'Fn::Equals': return JSON.stringify(this.resolve(args[0], 'condition')) === JSON.stringify(this.resolve(args[1], 'condition'));
      case 'Fn::Not': return !this.evaluateCondition(args[0]);
      case 'Fn::And': return args.every((a) => this.evaluateCondition(a));
      case 'Fn::Or': return args.some((a) => this.evaluateCondition(a));
      default: return isTrue(this.resolve(expr, 'condition'));
    }
  }
}

export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A bus given by ARN or by name, reduced to its name. */
export function busNameOf(nameOrArn: string): string {
  const match = /:event-bus\/(.+)$/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn;
}
