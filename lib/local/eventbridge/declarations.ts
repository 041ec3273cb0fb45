/**
 * Buses, rules, targets, archives and bus policies: what the EventBridge control plane
 * declares. Routing (event-bus-service.ts) reads the structures kept here (each bus's rules and
 * its PatternIndex of enabled rules); nothing here runs per event.
 *
 * Declarations are durable: each change is one absolute record in the engine's write-ahead log
 * (`eb.bus`, `eb.bus.del`, `eb.rule`, `eb.rule.del`, `eb.targets`, `eb.archive`), and a
 * snapshot re-expresses them as the same records, so a bus created, a rule disabled or a
 * permission granted over the wire is there after a restart. The engine's owner may declare
 * them again at each start (from the template); a declaration made again replaces the stored
 * one, as PutRule does on AWS.
 */
import { checkTargetShape } from './target-shape.ts';
import { compilePattern, PatternIndex, type EventPattern } from '../pattern/index.ts';
import { EventBridgeError } from './errors.ts';
import { compileInput, type InputBuilder } from './input-transformer.ts';
import { compileJsonPath, type CompiledPath } from './json-path.ts';
import type { ArchiveDefinition, RuleDefinition, TargetDefinition } from './types.ts';
import { systemClock, type Clock } from '../clock.ts';

const MAX_TARGETS_PER_RULE = 5;

export interface CompiledTarget {
  readonly definition: TargetDefinition;
  /** 'bus': another event bus of the engine (the event is routed on it, unchanged). */
  readonly kind: 'sqs' | 'lambda' | 'bus';
  readonly build: InputBuilder;
  readonly groupId?: string | CompiledPath;
  readonly maxRetries: number;
  readonly maxAgeMs: number;
  readonly deadLetterArn?: string;
}

export interface Rule {
  readonly name: string;
  readonly bus: string;
  readonly arn: string;
  readonly definition: RuleDefinition;
  readonly pattern: EventPattern;
  readonly enabled: boolean;
  readonly targets: Map<string, CompiledTarget>;
  /** Target ids (kept with `targets`, so routing does not rebuild the list per event). */
  targetIds: string[];
}

export interface Bus {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly rules: Map<string, Rule>;
  readonly index: PatternIndex<Rule>;
  /** Goes up whenever a rule of the bus is added, changed or deleted (routing journals the rules again then). */
  rulesVersion: number;
  /** The resource policy as DescribeEventBus returns it (JSON text); not enforced locally. */
  policy?: string;
  modifiedAt: Date;
}

/** Where declaration records go: the engine's state store. */
export interface DeclarationLog {
  appendLazy(record: unknown): void;
  flush(): Promise<void>;
}

export type DeclarationRecord =
  | { t: 'eb.bus'; name: string; createdAt: number; modifiedAt?: number; policy?: string | null }
  | { t: 'eb.bus.del'; name: string }
  | { t: 'eb.rule'; rule: RuleDefinition }
  | { t: 'eb.rule.del'; bus: string; name: string }
  | { t: 'eb.targets'; bus: string; rule: string; targets: TargetDefinition[] }
  | { t: 'eb.archive'; archive: ArchiveDefinition };

const RECORD_TYPES = new Set(['eb.bus', 'eb.bus.del', 'eb.rule', 'eb.rule.del', 'eb.targets', 'eb.archive']);

/** A permission as PutPermission takes it (without `Policy`). */
export interface PermissionStatement {
  readonly StatementId: string;
  readonly Action: string;
  readonly Principal: string;
  readonly Condition?: { readonly Type?: string; readonly Key?: string; readonly Value?: string };
}

export class Declarations {
  readonly buses = new Map<string, Bus>();
  readonly archives = new Map<string, ArchiveDefinition>();
  private log: DeclarationLog | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: { region: string; accountId: string; clock?: Clock }) {
    this.clock = options.clock ?? systemClock;
    this.createBus('default');
  }

  // ---- durability ---------------------------------------------------------------

  /** Start logging changes (after recovery). */
  attachLog(log: DeclarationLog): void {
    this.log = log;
  }

  /** Resolves when every change made so far is on disk. */
  async durable(): Promise<void> {
    await this.log?.flush();
  }

  /** Apply one recovered record; false if it is not a declaration record. */
  applyRecovered(record: { t?: unknown }): boolean {
    if (typeof record.t !== 'string' || !RECORD_TYPES.has(record.t)) return false;
    const r = record as DeclarationRecord;
    try {
      switch (r.t) {
        case 'eb.bus': {
          const bus = this.createBus(r.name, { createdAt: new Date(r.createdAt) });
          if (r.policy !== undefined) bus.policy = r.policy ?? undefined;
          if (r.modifiedAt !== undefined) bus.modifiedAt = new Date(r.modifiedAt);
          break;
        }
        case 'eb.bus.del':
          this.deleteBus(r.name);
          break;
        case 'eb.rule':
          this.putRule(r.rule);
          break;
        case 'eb.rule.del':
          this.deleteRule(r.bus, r.name, { evenWithTargets: true });
          break;
        case 'eb.targets':
          this.setTargets(r.bus, r.rule, r.targets);
          break;
        case 'eb.archive':
          this.createArchive(r.archive);
          break;
      }
    } catch {
      // A record that no longer applies (e.g. targets of a rule deleted later in the log).
    }
    return true;
  }

  /** Every declaration as records (for a snapshot). */
  *snapshot(): Generator<DeclarationRecord> {
    for (const bus of this.buses.values()) {
      yield { t: 'eb.bus', name: bus.name, createdAt: bus.createdAt.getTime(), modifiedAt: bus.modifiedAt.getTime(), policy: bus.policy ?? null };
      for (const rule of bus.rules.values()) {
        yield { t: 'eb.rule', rule: rule.definition };
        if (rule.targets.size > 0) yield { t: 'eb.targets', bus: bus.name, rule: rule.name, targets: [...rule.targets.values()].map((t) => t.definition) };
      }
    }
    for (const archive of this.archives.values()) yield { t: 'eb.archive', archive };
  }

  private commit(record: DeclarationRecord): void {
    this.log?.appendLazy(record);
  }

  private commitBus(bus: Bus): void {
    this.commit({ t: 'eb.bus', name: bus.name, createdAt: bus.createdAt.getTime(), modifiedAt: bus.modifiedAt.getTime(), policy: bus.policy ?? null });
  }

  // ---- buses ------------------------------------------------------------------------

  /** Create a bus; idempotent unless `mustBeNew` (CreateEventBus over the wire). */
  createBus(name: string, options: { mustBeNew?: boolean; createdAt?: Date } = {}): Bus {
    if (typeof name !== 'string' || !/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) {
      throw new EventBridgeError('ValidationException', `Event bus name "${name}" is not valid: 1–256 of letters, digits and . _ - /.`);
    }
    const existing = this.buses.get(name);
    if (existing) {
      if (options.mustBeNew) throw new EventBridgeError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      return existing;
    }
    const createdAt = options.createdAt ?? new Date(this.clock.now());
    const bus: Bus = { name, arn: this.busArn(name), createdAt, modifiedAt: createdAt, rules: new Map(), index: new PatternIndex<Rule>(), rulesVersion: 0 };
    this.buses.set(name, bus);
    this.commitBus(bus);
    return bus;
  }

  /**
   * DeleteEventBus: the default bus cannot be deleted; a bus that does not exist is no error;
   * the bus's rules go with it (user guide, "Deleting an event bus").
   */
  deleteBus(nameOrArn: string): void {
    const name = busNameOf(nameOrArn);
    if (name === 'default') throw new EventBridgeError('ValidationException', 'Cannot delete event bus default.');
    if (!this.buses.delete(name)) return;
    this.commit({ t: 'eb.bus.del', name });
  }

  bus(nameOrArn: string | undefined): Bus {
    const name = busNameOf(nameOrArn ?? 'default');
    const bus = this.buses.get(name);
    if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  listBuses(prefix = ''): Bus[] {
    return [...this.buses.values()].filter((b) => b.name.startsWith(prefix));
  }

  /** PutPermission with Action / Principal / StatementId: adds (or replaces) one statement. */
  putPermission(busName: string | undefined, statement: PermissionStatement): void {
    const bus = this.bus(busName);
    if (statement.Action !== 'events:PutEvents') {
      throw new EventBridgeError('ValidationException', "Provided value in parameter 'action' is not supported.");
    }
    if (typeof statement.Principal !== 'string' || !/^(\d{12}|\*)$/.test(statement.Principal)) {
      throw new EventBridgeError('ValidationException', `Value ${statement.Principal} at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)`);
    }
    if (typeof statement.StatementId !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(statement.StatementId)) {
      throw new EventBridgeError('ValidationException', 'StatementId must match ^[a-zA-Z0-9-_]{1,64}$');
    }
    const document = this.policyOf(bus) ?? { Version: '2012-10-17', Statement: [] };
    const condition = statement.Condition;
    const entry = {
      Sid: statement.StatementId,
      Effect: 'Allow',
      Principal: statement.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${statement.Principal}:root` },
      Action: statement.Action,
      Resource: bus.arn,
      ...(condition?.Type && condition.Key && { Condition: { [condition.Type]: { [condition.Key]: condition.Value } } }),
    };
    document.Statement = [...document.Statement.filter((s) => s.Sid !== statement.StatementId), entry];
    this.setPolicy(bus, JSON.stringify(document));
  }

  /** PutPermission with `Policy`: the whole resource policy, replaced. */
  putPolicy(busName: string | undefined, policy: string): void {
    const bus = this.bus(busName);
    try {
      JSON.parse(policy);
    } catch {
      throw new EventBridgeError('ValidationException', 'This policy contains invalid Json');
    }
    this.setPolicy(bus, policy);
  }

  /** RemovePermission: one statement by id, or all of them. */
  removePermission(busName: string | undefined, statementId: string | undefined, removeAll: boolean): void {
    const bus = this.bus(busName);
    if (removeAll) {
      this.setPolicy(bus, undefined);
      return;
    }
    const document = this.policyOf(bus);
    if (!document) throw new EventBridgeError('ResourceNotFoundException', 'EventBus does not have a policy.');
    const kept = document.Statement.filter((s) => s.Sid !== statementId);
    if (kept.length === document.Statement.length) throw new EventBridgeError('ResourceNotFoundException', 'Statement with the provided id does not exist.');
    this.setPolicy(bus, kept.length === 0 ? undefined : JSON.stringify({ ...document, Statement: kept }));
  }

  private policyOf(bus: Bus): { Version?: string; Statement: Array<{ Sid?: string }> } | undefined {
    if (bus.policy === undefined) return undefined;
    const document = JSON.parse(bus.policy) as { Version?: string; Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
    return { ...document, Statement: statements as Array<{ Sid?: string }> };
  }

  private setPolicy(bus: Bus, policy: string | undefined): void {
    bus.policy = policy;
    bus.modifiedAt = new Date(this.clock.now());
    this.commitBus(bus);
  }

  // ---- rules --------------------------------------------------------------------------

  putRule(definition: RuleDefinition): Rule {
    const bus = this.bus(definition.EventBusName);
    if (!/^[\.\-_A-Za-z0-9]{1,64}$/.test(definition.Name ?? '')) {
      throw new EventBridgeError('ValidationException', `Rule name "${definition.Name}" is not valid: 1–64 of letters, digits and . - _.`);
    }
    if (typeof definition.EventPattern !== 'string' || definition.EventPattern.length === 0) {
      throw new EventBridgeError('ValidationException', `Rule ${definition.Name} needs an EventPattern (rules with only a ScheduleExpression are not run by the local engine).`);
    }
    const state = definition.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') {
      throw new EventBridgeError('ValidationException', `State "${state}" is not valid: ENABLED or DISABLED.`);
    }
    const pattern = compilePatternOrThrow(definition.EventPattern);
    const previous = bus.rules.get(definition.Name);
    return this.setRule(bus, { ...definition, EventBusName: bus.name, State: state }, pattern, previous);
  }

  /** EnableRule / DisableRule: the rule's State, its pattern and targets unchanged. */
  setRuleState(busName: string | undefined, ruleName: string, enabled: boolean): void {
    const rule = this.rule(busName, ruleName);
    if (rule.enabled === enabled) return;
    this.setRule(this.bus(rule.bus), { ...rule.definition, State: enabled ? 'ENABLED' : 'DISABLED' }, rule.pattern, rule);
  }

  private setRule(bus: Bus, definition: RuleDefinition, pattern: EventPattern, previous: Rule | undefined): Rule {
    const rule: Rule = {
      name: definition.Name,
      bus: bus.name,
      arn: this.ruleArn(bus.name, definition.Name),
      definition,
      pattern,
      enabled: definition.State === 'ENABLED',
      targets: previous?.targets ?? new Map(),
      targetIds: previous?.targetIds ?? [],
    };
    bus.rules.set(rule.name, rule);
    bus.rulesVersion++;
    bus.index.remove(rule.name);
    if (rule.enabled) bus.index.add(rule.name, pattern, rule);
    this.commit({ t: 'eb.rule', rule: definition });
    return rule;
  }

  /**
   * DeleteRule: a rule that still has targets is refused (ValidationException, "Rule can't be
   * deleted since it has targets."); a rule that does not exist is no error; a bus that does
   * not exist is ResourceNotFoundException (API reference, DeleteRule).
   */
  deleteRule(busName: string | undefined, ruleName: string, options: { evenWithTargets?: boolean } = {}): void {
    const bus = this.bus(busName);
    const rule = bus.rules.get(ruleName);
    if (!rule) return;
    if (rule.targets.size > 0 && !options.evenWithTargets) throw new EventBridgeError('ValidationException', "Rule can't be deleted since it has targets.");
    bus.rules.delete(ruleName);
    bus.rulesVersion++;
    bus.index.remove(ruleName);
    this.commit({ t: 'eb.rule.del', bus: bus.name, name: ruleName });
  }

  rule(busName: string | undefined, ruleName: string): Rule {
    const bus = this.bus(busName);
    const rule = bus.rules.get(ruleName);
    if (!rule) throw new EventBridgeError('ResourceNotFoundException', `Rule ${ruleName} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  listRules(busName: string | undefined, prefix = ''): Rule[] {
    return [...this.bus(busName).rules.values()].filter((r) => r.name.startsWith(prefix));
  }

  /** ListRuleNamesByTarget: the rules of the bus with a target of this ARN. */
  ruleNamesByTarget(busName: string | undefined, targetArn: string): string[] {
    const names: string[] = [];
    for (const rule of this.bus(busName).rules.values()) {
      for (const target of rule.targets.values()) {
        if (target.definition.Arn === targetArn) {
          names.push(rule.name);
          break;
        }
      }
    }
    return names;
  }

  // ---- targets ------------------------------------------------------------------------

  putTargets(busName: string | undefined, ruleName: string, targets: readonly TargetDefinition[]): void {
    const rule = this.rule(busName, ruleName);
    const compiled = targets.map((raw) => {
      const target = checkTargetShape(raw, rule.name);
      return [target.Id, compileTarget(rule, target)] as const;
    });
    const ids = new Set([...rule.targets.keys(), ...compiled.map(([id]) => id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new EventBridgeError('LimitExceededException', `Rule ${rule.name} would have ${ids.size} targets; a rule has at most ${MAX_TARGETS_PER_RULE}.`);
    }
    for (const [id, target] of compiled) rule.targets.set(id, target);
    this.targetsChanged(rule);
  }

  removeTargets(busName: string | undefined, ruleName: string, ids: readonly string[]): void {
    const rule = this.rule(busName, ruleName);
    for (const id of ids) rule.targets.delete(id);
    this.targetsChanged(rule);
  }

  private setTargets(busName: string, ruleName: string, targets: readonly TargetDefinition[]): void {
    const rule = this.rule(busName, ruleName);
    rule.targets.clear();
    for (const target of targets) rule.targets.set(target.Id, compileTarget(rule, target));
    this.targetsChanged(rule);
  }

  private targetsChanged(rule: Rule): void {
    rule.targetIds = [...rule.targets.keys()];
    this.commit({ t: 'eb.targets', bus: rule.bus, rule: rule.name, targets: [...rule.targets.values()].map((t) => t.definition) });
  }

  listTargets(busName: string | undefined, ruleName: string): TargetDefinition[] {
    return [...this.rule(busName, ruleName).targets.values()].map((t) => t.definition);
  }

  // ---- archives -----------------------------------------------------------------------

  /**
   * Makes the declarations exactly those of a template just applied, as a CloudFormation deploy
   * would: buses, rules and targets it does not name are deleted (durably). Declarations now
   * survive restarts, so without this a subscription removed from the stack would keep its
   * rule routing events into a queue nothing reads. Returns what was removed ("bus/rule" or
   * "bus/rule#target" or "bus"), for the caller to report.
   */
  retainOnly(declared: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>): string[] {
    const removed: string[] = [];
    for (const bus of [...this.buses.values()]) {
      const rules = declared.get(bus.name);
      if (!rules) {
        if (bus.name === 'default') {
          for (const rule of [...bus.rules.values()]) { this.deleteRule(bus.name, rule.name, { evenWithTargets: true }); removed.push(`${bus.name}/${rule.name}`); }
        } else {
          this.deleteBus(bus.name);
          removed.push(bus.name);
        }
        continue;
      }
      for (const rule of [...bus.rules.values()]) {
        const targets = rules.get(rule.name);
        if (!targets) {
          this.deleteRule(bus.name, rule.name, { evenWithTargets: true });
          removed.push(`${bus.name}/${rule.name}`);
          continue;
        }
        const stale = [...rule.targets.keys()].filter((id) => !targets.has(id));
        if (stale.length > 0) {
          this.removeTargets(bus.name, rule.name, stale);
          removed.push(...stale.map((id) => `${bus.name}/${rule.name}#${id}`));
        }
      }
    }
    return removed;
  }

  createArchive(definition: ArchiveDefinition): void {
    this.bus(busNameOf(definition.EventSourceArn));
    if (definition.EventPattern) compilePatternOrThrow(definition.EventPattern);
    this.archives.set(definition.ArchiveName, definition);
    this.commit({ t: 'eb.archive', archive: definition });
  }

  // ---- ARNs ---------------------------------------------------------------------------

  busArn(name: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/${name}`;
  }

  ruleArn(bus: string, rule: string): string {
    return bus === 'default'
      ? `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${rule}`
      : `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${bus}/${rule}`;
  }
}

function compileTarget(rule: Rule, target: TargetDefinition): CompiledTarget {
  const where = `target ${target.Id} of rule ${rule.name}`;
  if (!/^[\.\-_A-Za-z0-9]{1,64}$/.test(target.Id ?? '')) {
    throw new EventBridgeError('ValidationException', `${where}: Id must be 1–64 of letters, digits and . - _.`);
  }
  const arn = target.Arn ?? '';
  const kind = arn.startsWith('arn:aws:sqs:') ? 'sqs' : arn.startsWith('arn:aws:lambda:') ? 'lambda' : /^arn:aws:events:[^:]*:[^:]*:event-bus\/./.test(arn) ? 'bus' : undefined;
  if (!kind) {
    throw new EventBridgeError('ValidationException', `${where}: the local engine delivers to SQS queues, Lambda functions and event buses only; got Arn "${arn}".`);
  }
  if (kind === 'bus') return compileBusTarget(target, where);
  let build: InputBuilder;
  let groupId: string | CompiledPath | undefined;
  try {
    build = compileInput(target, where);
    const group = target.SqsParameters?.MessageGroupId;
    if (group !== undefined) groupId = group.startsWith('$.') ? compileJsonPath(group, `${where} SqsParameters.MessageGroupId`) : group;
  } catch (error) {
    throw new EventBridgeError('ValidationException', (error as Error).message);
  }
  if (kind === 'sqs' && arn.endsWith('.fifo') && groupId === undefined) {
    throw new EventBridgeError('ValidationException', `${where}: a FIFO queue target needs SqsParameters.MessageGroupId.`);
  }
  return {
    definition: target,
    kind,
    build,
    groupId,
    ...retryPolicyOf(target, where),
    deadLetterArn: target.DeadLetterConfig?.Arn,
  };
}

/**
 * A bus target forwards the matched event itself, so input shaping does not apply to it (the
 * engine refuses it rather than ignore it). A bus of another account or region is accepted,
 * as AWS does, but the engine has no such bus: deliveries to it fail as NO_RESOURCE.
 */
function compileBusTarget(target: TargetDefinition, where: string): CompiledTarget {
  if (target.Input !== undefined || target.InputPath !== undefined || target.InputTransformer !== undefined) {
    throw new EventBridgeError('ValidationException', `${where}: an event bus target receives the matched event unchanged; remove Input, InputPath and InputTransformer.`);
  }
  return { definition: target, kind: 'bus', build: (_event, text) => text, ...retryPolicyOf(target, where), deadLetterArn: target.DeadLetterConfig?.Arn };
}

function retryPolicyOf(target: TargetDefinition, where: string): { maxRetries: number; maxAgeMs: number } {
  const retries = target.RetryPolicy?.MaximumRetryAttempts ?? 185;
  const age = target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400;
  if (!Number.isInteger(retries) || retries < 0 || retries > 185) {
    throw new EventBridgeError('ValidationException', `${where}: RetryPolicy.MaximumRetryAttempts must be 0–185, got ${retries}.`);
  }
  if (!Number.isInteger(age) || age < 60 || age > 86_400) {
    throw new EventBridgeError('ValidationException', `${where}: RetryPolicy.MaximumEventAgeInSeconds must be 60–86400, got ${age}.`);
  }
  return { maxRetries: retries, maxAgeMs: age * 1000 };
}

export function compilePatternOrThrow(text: string): EventPattern {
  try {
    return compilePattern(text);
  } catch (error) {
    throw new EventBridgeError('InvalidEventPatternException', (error as Error).message);
  }
}

/** Bus name from a name or an ARN (arn:aws:events:<region>:<account>:event-bus/<name>). */
export function busNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const i = nameOrArn.indexOf(marker);
  return i >= 0 ? nameOrArn.slice(i + marker.length) : nameOrArn;
}
