/**
 * Buses, rules, targets and routing. PutEvents builds each event, archives it, matches it
 * against the bus's rules (one PatternIndex per bus) and delivers it:
 *
 * - to an SQS target at once, in the same step, so the enqueue is logged with the event and
 *   PutEvents answers only when both are on disk;
 * - to a Lambda target (and to an SQS target whose first delivery failed) through the
 *   internal delivery queue `busline-internal-target-deliveries`, whose receive count is the
 *   attempt number: the delivery stays durable until it succeeds, or until the target's
 *   RetryPolicy is used up and it goes to the target's DeadLetterConfig queue (or is dropped).
 *
 * Buses, rules and targets are declarations, not state: the engine's owner declares them
 * at each start (from the template); events, the archive and queued deliveries are state.
 */
import { randomUUID } from 'node:crypto';
import { compilePattern, formatMismatch, PatternIndex, type EventPattern } from '../pattern/index.ts';
import type { SqsService } from '../sqs/sqs-service.ts';
import { SqsError } from '../sqs/errors.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import type { JournalEntry } from '../journal/types.ts';
import { EventBridgeError } from './errors.ts';
import { compileInput, type InputBuilder } from './input-transformer.ts';
import { compileJsonPath, readPath, type CompiledPath } from './json-path.ts';
import type { EventArchive } from './archive.ts';
import type {
  ArchiveDefinition,
  BusEvent,
  LambdaInvoker,
  PutEventsRequestEntry,
  PutEventsResult,
  PutEventsResultEntry,
  ReplayOptions,
  ReplayResult,
  RuleDefinition,
  TargetDefinition,
} from './types.ts';

export const DELIVERY_QUEUE = 'busline-internal-target-deliveries';
/**
 * A delivery stays in flight while the function runner handles it, which with Lambda's own
 * async retries can take longer than 15 minutes: the lease is the maximum, 12 hours (a crash
 * releases it at the next start anyway).
 */
const DELIVERY_QUEUE_ATTRIBUTES = { VisibilityTimeout: '43200', MessageRetentionPeriod: '1209600' };
const MAX_ENTRY_BYTES = 1024 * 1024;
const MAX_TARGETS_PER_RULE = 5;
const DELIVERY_CONCURRENCY = 64;
const BACKOFF_CAP_SECONDS = 60;

export interface JournalSink {
  append(entry: JournalEntry): void;
  /** append() of an event.accepted record with the event already serialised. */
  appendAccepted(entry: Omit<Extract<JournalEntry, { kind: 'event.accepted' }>, 'event'>, event: unknown, eventText: string): void;
}

interface CompiledTarget {
  readonly definition: TargetDefinition;
  readonly kind: 'sqs' | 'lambda';
  readonly build: InputBuilder;
  readonly groupId?: string | CompiledPath;
  readonly maxRetries: number;
  readonly maxAgeMs: number;
  readonly deadLetterArn?: string;
}

interface Rule {
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

interface Bus {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly rules: Map<string, Rule>;
  readonly index: PatternIndex<Rule>;
}

/** Body of a message in the internal delivery queue. */
interface PendingDelivery {
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly arn: string;
  readonly input: string;
  readonly eventId: string;
  /** Epoch ms the event was accepted (for MaximumEventAgeInSeconds). */
  readonly acceptedAt: number;
  /** Attempts made before the message was queued (1 when an inline SQS delivery failed). */
  readonly attemptsBefore: number;
  readonly groupId?: string;
  readonly traceHeader?: string;
  readonly lineage?: MessageLineage;
}

export interface EventBusOptions {
  readonly region: string;
  readonly accountId: string;
  readonly sqs: SqsService;
  readonly archive: EventArchive;
  readonly journal?: JournalSink;
}

export class EventBusService {
  private readonly buses = new Map<string, Bus>();
  private readonly archives = new Map<string, ArchiveDefinition>();
  private invoker: LambdaInvoker | undefined;
  private worker: { abort: AbortController; done: Promise<void> } | undefined;
  private active = 0;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: EventBusOptions) {
    this.createBus('default');
  }

  setLambdaInvoker(invoker: LambdaInvoker): void {
    this.invoker = invoker;
  }

  // ---- declarations -----------------------------------------------------------

  createBus(name: string): { name: string; arn: string } {
    if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) {
      throw new EventBridgeError('ValidationException', `Event bus name "${name}" is not valid: 1–256 of letters, digits and . _ - /.`);
    }
    let bus = this.buses.get(name);
    if (!bus) {
      bus = { name, arn: this.busArn(name), createdAt: new Date(), rules: new Map(), index: new PatternIndex<Rule>() };
      this.buses.set(name, bus);
    }
    return { name: bus.name, arn: bus.arn };
  }

  putRule(definition: RuleDefinition): { arn: string } {
    const bus = this.bus(definition.EventBusName);
    if (!/^[\.\-_A-Za-z0-9]{1,64}$/.test(definition.Name ?? '')) {
      throw new EventBridgeError('ValidationException', `Rule name "${definition.Name}" is not valid: 1–64 of letters, digits and . - _.`);
    }
    if (typeof definition.EventPattern !== 'string' || definition.EventPattern.length === 0) {
      throw new EventBridgeError('ValidationException', `Rule ${definition.Name} needs an EventPattern (rules with only a ScheduleExpression are not run by the local engine).`);
    }
    const pattern = compilePatternOrThrow(definition.EventPattern);
    const state = definition.State ?? 'ENABLED';
    const previous = bus.rules.get(definition.Name);
    const rule: Rule = {
      name: definition.Name,
      bus: bus.name,
      arn: this.ruleArn(bus.name, definition.Name),
      definition: { ...definition, EventBusName: bus.name, State: state },
      pattern,
      enabled: state === 'ENABLED',
      targets: previous?.targets ?? new Map(),
      targetIds: previous?.targetIds ?? [],
    };
    bus.rules.set(rule.name, rule);
    bus.index.remove(rule.name);
    if (rule.enabled) bus.index.add(rule.name, pattern, rule);
    return { arn: rule.arn };
  }

  putTargets(busName: string | undefined, ruleName: string, targets: readonly TargetDefinition[]): void {
    const rule = this.rule(busName, ruleName);
    const compiled = targets.map((target) => [target.Id, this.compileTarget(rule, target)] as const);
    const ids = new Set([...rule.targets.keys(), ...compiled.map(([id]) => id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new EventBridgeError('LimitExceededException', `Rule ${rule.name} would have ${ids.size} targets; a rule has at most ${MAX_TARGETS_PER_RULE}.`);
    }
    for (const [id, target] of compiled) rule.targets.set(id, target);
    rule.targetIds = [...rule.targets.keys()];
  }

  removeTargets(busName: string | undefined, ruleName: string, ids: readonly string[]): void {
    const rule = this.rule(busName, ruleName);
    for (const id of ids) rule.targets.delete(id);
    rule.targetIds = [...rule.targets.keys()];
  }

  createArchive(definition: ArchiveDefinition): void {
    const busName = busNameOf(definition.EventSourceArn);
    this.bus(busName);
    if (definition.EventPattern) compilePatternOrThrow(definition.EventPattern);
    this.archives.set(definition.ArchiveName, definition);
  }

  private compileTarget(rule: Rule, target: TargetDefinition): CompiledTarget {
    const where = `target ${target.Id} of rule ${rule.name}`;
    if (!/^[\.\-_A-Za-z0-9]{1,64}$/.test(target.Id ?? '')) {
      throw new EventBridgeError('ValidationException', `${where}: Id must be 1–64 of letters, digits and . - _.`);
    }
    const arn = target.Arn ?? '';
    const kind = arn.startsWith('arn:aws:sqs:') ? 'sqs' : arn.startsWith('arn:aws:lambda:') ? 'lambda' : undefined;
    if (!kind) {
      throw new EventBridgeError('ValidationException', `${where}: the local engine delivers to SQS queues and Lambda functions only; got Arn "${arn}".`);
    }
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
    const retries = target.RetryPolicy?.MaximumRetryAttempts ?? 185;
    const age = target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400;
    if (!Number.isInteger(retries) || retries < 0 || retries > 185) {
      throw new EventBridgeError('ValidationException', `${where}: RetryPolicy.MaximumRetryAttempts must be 0–185, got ${retries}.`);
    }
    if (!Number.isInteger(age) || age < 60 || age > 86_400) {
      throw new EventBridgeError('ValidationException', `${where}: RetryPolicy.MaximumEventAgeInSeconds must be 60–86400, got ${age}.`);
    }
    return {
      definition: target,
      kind,
      build,
      groupId,
      maxRetries: retries,
      maxAgeMs: age * 1000,
      deadLetterArn: target.DeadLetterConfig?.Arn,
    };
  }

  // ---- reading declarations ---------------------------------------------------------

  listBuses(prefix = ''): Array<{ Name: string; Arn: string; CreationTime: Date }> {
    return [...this.buses.values()].filter((b) => b.name.startsWith(prefix)).map((b) => ({ Name: b.name, Arn: b.arn, CreationTime: b.createdAt }));
  }

  listRules(busName: string | undefined, prefix = ''): RuleDefinition[] {
    return [...this.bus(busName).rules.values()].filter((r) => r.name.startsWith(prefix)).map((r) => r.definition);
  }

  describeRule(busName: string | undefined, ruleName: string): RuleDefinition & { Arn: string } {
    const rule = this.rule(busName, ruleName);
    return { ...rule.definition, Arn: rule.arn };
  }

  listTargets(busName: string | undefined, ruleName: string): TargetDefinition[] {
    return [...this.rule(busName, ruleName).targets.values()].map((t) => t.definition);
  }

  /** TestEventPattern: does the pattern match the event (JSON text)? */
  testEventPattern(patternText: string, eventText: string): boolean {
    const pattern = compilePatternOrThrow(patternText);
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw new EventBridgeError('ValidationException', 'Parameter Event is not valid: it is not JSON.');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new EventBridgeError('ValidationException', 'Parameter Event is not valid: it must be a JSON object.');
    }
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
      if (!(field in event)) {
        throw new EventBridgeError('ValidationException', `Parameter Event is not valid: the event must contain the field "${field}" (as well as id, account, source, time, region and detail-type).`);
      }
    }
    return pattern.matches(event);
  }

  // ---- PutEvents -------------------------------------------------------------------

  /**
   * Accept, archive and route the entries. Resolves when the accepted events and the
   * deliveries made with them are on disk.
   */
  async putEvents(entries: readonly PutEventsRequestEntry[]): Promise<PutEventsResult> {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new EventBridgeError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10 (got ${Array.isArray(entries) ? entries.length : 'none'}).`);
    }
    const now = Date.now();
    const results: PutEventsResultEntry[] = [];
    let failed = 0;
    for (const entry of entries) {
      const result = this.accept(entry, now);
      if (result.ErrorCode) failed++;
      results.push(result);
    }
    if (failed < entries.length) await Promise.all([this.options.archive.flush(), this.options.sqs.durable()]);
    return { FailedEntryCount: failed, Entries: results };
  }

  private accept(entry: PutEventsRequestEntry, now: number): PutEventsResultEntry {
    if (entry === null || typeof entry !== 'object') return entryError('InvalidArgument', 'Each entry must be an object.');
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field].length === 0) {
        return entryError('InvalidArgument', `Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
      }
    }
    const source = entry.Source!;
    const detailType = entry.DetailType!;
    const detailText = entry.Detail!;
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      return entryError('MalformedDetail', 'Detail is malformed: it is not valid JSON.');
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return entryError('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
    }
    const resources = entry.Resources ?? [];
    let size = source.length + detailType.length + detailText.length + (entry.Time !== undefined ? 14 : 0);
    for (const r of resources) size += r.length;
    if (size * 3 > MAX_ENTRY_BYTES) {
      let bytes = Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(detailText) + (entry.Time !== undefined ? 14 : 0);
      for (const r of resources) bytes += Buffer.byteLength(r);
      if (bytes > MAX_ENTRY_BYTES) return entryError('InvalidArgument', `Entry is ${bytes} bytes; an event may be at most ${MAX_ENTRY_BYTES} bytes (Source + DetailType + Detail + Resources).`);
    }
    const busName = busNameOf(entry.EventBusName ?? 'default');
    const bus = this.buses.get(busName);
    if (!bus) return entryError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    let time: string;
    if (entry.Time === undefined) time = isoSeconds(now);
    else {
      const t = entry.Time instanceof Date ? entry.Time.getTime() : Date.parse(String(entry.Time));
      if (Number.isNaN(t)) return entryError('InvalidArgument', `Parameter Time is not valid: ${String(entry.Time)}.`);
      time = isoSeconds(t);
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.options.accountId,
      time,
      region: this.options.region,
      resources,
      detail,
    };
    // The event's JSON is built around the Detail text as received (it was just parsed, so it
    // is valid JSON): serialising the parsed detail again is the largest cost on this path.
    const eventText =
      `{"version":"0","id":"${event.id}","detail-type":${JSON.stringify(detailType)},"source":${JSON.stringify(source)},` +
      `"account":${JSON.stringify(event.account)},"time":"${time}","region":${JSON.stringify(event.region)},` +
      `"resources":${JSON.stringify(resources)},"detail":${compactDetail(detailText, detail)}}`;
    this.options.archive.add(bus.name, eventText);
    this.route(bus, event, eventText, now, entry.TraceHeader, undefined);
    return { EventId: event.id };
  }

  private route(bus: Bus, event: BusEvent, eventText: string, now: number, traceHeader: string | undefined, onlyRules: ReadonlySet<string> | undefined): void {
    const lineage = lineageOf(event);
    const journal = this.options.journal;
    if (journal) {
      const metadata = metadataOf(event);
      journal.appendAccepted(
        {
          kind: 'event.accepted',
          eventId: event.id,
          bus: bus.name,
          source: event.source,
          topic: event['detail-type'],
          correlationId: lineage.correlationId,
          metadataId: typeof metadata?.['id'] === 'string' ? metadata['id'] : undefined,
          causationId: typeof metadata?.['causationId'] === 'string' ? metadata['causationId'] : undefined,
          replayName: event['replay-name'],
        },
        event,
        eventText,
      );
    }
    const matched = bus.index.match(event);
    const ingestionTime = new Date(now).toISOString();
    for (const rule of matched) {
      if (onlyRules && !onlyRules.has(rule.name)) continue;
      journal?.append({ kind: 'rule.matched', eventId: event.id, bus: bus.name, rule: rule.name, targets: rule.targetIds, topic: event['detail-type'], correlationId: lineage.correlationId });
      for (const target of rule.targets.values()) {
        this.deliverFirst(rule, target, event, eventText, ingestionTime, now, traceHeader, lineage);
      }
    }
    if (journal && bus.rules.size > matched.length) {
      const hit = new Set(matched);
      for (const rule of bus.rules.values()) {
        if (hit.has(rule) || (onlyRules && !onlyRules.has(rule.name))) continue;
        const mismatch = rule.enabled ? rule.pattern.explain(event) : undefined;
        journal.append({
          kind: 'rule.unmatched',
          eventId: event.id,
          bus: bus.name,
          rule: rule.name,
          reason: rule.enabled ? (mismatch ? formatMismatch(mismatch) : 'did not match') : 'rule is DISABLED',
          topic: event['detail-type'],
          correlationId: lineage.correlationId,
        });
      }
    }
  }

  private deliverFirst(rule: Rule, target: CompiledTarget, event: BusEvent, eventText: string, ingestionTime: string, now: number, traceHeader: string | undefined, lineage: MessageLineage): void {
    const input = target.build(event, eventText, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime });
    const groupId = target.groupId === undefined ? undefined : typeof target.groupId === 'string' ? target.groupId : stringOf(readPath(event, target.groupId));
    const pending: PendingDelivery = {
      bus: rule.bus,
      rule: rule.name,
      targetId: target.definition.Id,
      arn: target.definition.Arn,
      input,
      eventId: event.id,
      acceptedAt: now,
      attemptsBefore: 0,
      ...(groupId !== undefined && { groupId }),
      ...(traceHeader !== undefined && { traceHeader }),
      lineage,
    };
    if (target.kind === 'sqs') {
      try {
        this.sendToQueue(pending, `rule:${rule.bus}/${rule.name}/${target.definition.Id}`);
        return;
      } catch (error) {
        this.options.journal?.append({ kind: 'target.failed', eventId: event.id, bus: rule.bus, rule: rule.name, targetId: target.definition.Id, attempt: 1, error: (error as Error).message, final: false, topic: lineage.topic, correlationId: lineage.correlationId });
        this.queueDelivery({ ...pending, attemptsBefore: 1 }, backoffSeconds(1));
        return;
      }
    }
    this.queueDelivery(pending, 0);
  }

  private sendToQueue(pending: PendingDelivery, via: string): void {
    const queue = this.options.sqs.get(pending.arn);
    this.options.sqs.send(
      queue,
      {
        MessageBody: pending.input,
        ...(pending.groupId !== undefined && { MessageGroupId: pending.groupId }),
        // EventBridge uses the event id as the deduplication id of a FIFO target.
        ...(queue.fifo && { MessageDeduplicationId: pending.eventId }),
        ...(pending.traceHeader !== undefined && { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: pending.traceHeader } } }),
      },
      via,
      pending.lineage,
    );
  }

  private queueDelivery(pending: PendingDelivery, delaySeconds: number): void {
    const sqs = this.options.sqs;
    if (!sqs.find(DELIVERY_QUEUE)) sqs.createQueue(DELIVERY_QUEUE, DELIVERY_QUEUE_ATTRIBUTES, { internal: true });
    sqs.send(DELIVERY_QUEUE, { MessageBody: JSON.stringify(pending), DelaySeconds: Math.min(900, delaySeconds) }, 'retry', pending.lineage);
  }

  // ---- the delivery worker -----------------------------------------------------------

  /** Start delivering queued target deliveries (after recovery). */
  startDeliveries(): void {
    if (this.worker) return;
    const sqs = this.options.sqs;
    sqs.createQueue(DELIVERY_QUEUE, DELIVERY_QUEUE_ATTRIBUTES, { internal: true });
    const abort = new AbortController();
    const done = (async () => {
      while (!abort.signal.aborted) {
        if (this.active >= DELIVERY_CONCURRENCY) {
          await new Promise<void>((resolve) => this.idle.add(resolve));
          continue;
        }
        const messages = await sqs.receive(DELIVERY_QUEUE, { maxNumberOfMessages: 10, waitTimeSeconds: 3600, signal: abort.signal });
        for (const message of messages) {
          this.active++;
          void this.deliverQueued(message.Body, message.ReceiptHandle, Number(message.Attributes['ApproximateReceiveCount'])).finally(() => {
            this.active--;
            for (const resolve of [...this.idle]) resolve();
            this.idle.clear();
          });
        }
      }
    })();
    this.worker = { abort, done };
  }

  async stopDeliveries(): Promise<void> {
    if (!this.worker) return;
    this.worker.abort.abort();
    for (const resolve of [...this.idle]) resolve();
    await this.worker.done;
    this.worker = undefined;
  }

  private async deliverQueued(body: string, receiptHandle: string, receiveCount: number): Promise<void> {
    const sqs = this.options.sqs;
    let pending: PendingDelivery;
    try {
      pending = JSON.parse(body) as PendingDelivery;
    } catch {
      sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
      return;
    }
    const attempt = pending.attemptsBefore + receiveCount;
    const rule = this.buses.get(pending.bus)?.rules.get(pending.rule);
    const target = rule?.targets.get(pending.targetId);
    const journal = this.options.journal;
    const lineage = pending.lineage ?? {};
    try {
      if (pending.arn.startsWith('arn:aws:sqs:')) {
        this.sendToQueue(pending, `rule:${pending.bus}/${pending.rule}/${pending.targetId}`);
      } else {
        if (!this.invoker) throw new Error('no function runner is attached to the engine (setLambdaInvoker)');
        journal?.append({ kind: 'target.invoked', eventId: pending.eventId, bus: pending.bus, rule: pending.rule, targetId: pending.targetId, functionArn: pending.arn, attempt, topic: lineage.topic, correlationId: lineage.correlationId });
        await this.invoker.invokeAsync(pending.arn, parseInput(pending.input), { eventId: pending.eventId, ruleName: pending.rule, busName: pending.bus, attempt });
      }
      sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const maxRetries = target?.maxRetries ?? 185;
      const maxAgeMs = target?.maxAgeMs ?? 86_400_000;
      // A request the queue refuses as invalid (a FIFO group id the event lacks, a body too
      // large) fails the same way every time: no point retrying for a day.
      const permanent = error instanceof SqsError && error.shape !== 'QueueDoesNotExist' && error.httpStatus < 500;
      const final = permanent || attempt > maxRetries || Date.now() - pending.acceptedAt >= maxAgeMs;
      if (!final) {
        journal?.append({ kind: 'target.failed', eventId: pending.eventId, bus: pending.bus, rule: pending.rule, targetId: pending.targetId, attempt, error: message, final: false, topic: lineage.topic, correlationId: lineage.correlationId });
        sqs.changeVisibility(DELIVERY_QUEUE, receiptHandle, backoffSeconds(attempt));
        return;
      }
      const dlqArn = target?.deadLetterArn;
      let deadLetter = 'dropped';
      if (dlqArn && sqs.find(dlqArn)) {
        sqs.send(
          dlqArn,
          {
            MessageBody: pending.input,
            MessageAttributes: {
              RULE_ARN: { DataType: 'String', StringValue: this.ruleArn(pending.bus, pending.rule) },
              TARGET_ARN: { DataType: 'String', StringValue: pending.arn },
              ERROR_CODE: { DataType: 'String', StringValue: error instanceof SqsError ? error.code : 'SDK_CLIENT_ERROR' },
              ERROR_MESSAGE: { DataType: 'String', StringValue: message.slice(0, 1000) || 'delivery failed' },
            },
          },
          'dead-letter',
          pending.lineage,
        );
        deadLetter = dlqArn;
      }
      journal?.append({ kind: 'target.failed', eventId: pending.eventId, bus: pending.bus, rule: pending.rule, targetId: pending.targetId, attempt, error: message, final: true, deadLetter, topic: lineage.topic, correlationId: lineage.correlationId });
      sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
    }
  }

  // ---- replay ---------------------------------------------------------------------

  async replay(options: ReplayOptions): Promise<ReplayResult> {
    const bus = this.bus(options.busName);
    if (!(options.from instanceof Date) || !(options.to instanceof Date) || options.from.getTime() >= options.to.getTime()) {
      throw new EventBridgeError('ValidationException', 'Replay needs from < to (Dates).');
    }
    const replayName = options.replayName ?? `replay-${Date.now()}`;
    const onlyRules = options.ruleNames ? new Set(options.ruleNames) : undefined;
    let count = 0;
    await this.options.archive.read(bus.name, options.from, options.to, (archived) => {
      if (options.filter && !options.filter({ bus: bus.name, event: archived })) return;
      const event: BusEvent = { ...archived, 'replay-name': replayName };
      this.route(bus, event, JSON.stringify(event), Date.now(), undefined, onlyRules);
      count++;
    });
    await this.options.sqs.durable();
    return { replayName, eventCount: count };
  }

  /**
   * StartReplay: the archive (by ARN) names the bus whose events are re-sent; its pattern,
   * if any, filters them. An archive never declared falls back to the destination bus (the
   * engine archives every bus anyway).
   */
  replayFromArchive(options: { archiveArn: string; busArn: string; from: Date; to: Date; replayName: string; ruleNames?: readonly string[] }): Promise<ReplayResult> {
    const archiveName = options.archiveArn.slice(options.archiveArn.lastIndexOf('/') + 1);
    const archive = this.archives.get(archiveName);
    const busName = busNameOf(archive?.EventSourceArn ?? options.busArn);
    const pattern = archive?.EventPattern ? compilePatternOrThrow(archive.EventPattern) : undefined;
    return this.replay({
      busName,
      from: options.from,
      to: options.to,
      replayName: options.replayName,
      ...(options.ruleNames && { ruleNames: options.ruleNames }),
      ...(pattern && { filter: (archived) => pattern.matches(archived.event) }),
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private bus(nameOrArn: string | undefined): Bus {
    const name = busNameOf(nameOrArn ?? 'default');
    const bus = this.buses.get(name);
    if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  private rule(busName: string | undefined, ruleName: string): Rule {
    const bus = this.bus(busName);
    const rule = bus.rules.get(ruleName);
    if (!rule) throw new EventBridgeError('ResourceNotFoundException', `Rule ${ruleName} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/${name}`;
  }

  replayArn(name: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:replay/${name}`;
  }

  ruleArn(bus: string, rule: string): string {
    return bus === 'default'
      ? `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${rule}`
      : `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${bus}/${rule}`;
  }
}

function compilePatternOrThrow(text: string): EventPattern {
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

/**
 * Detail text fit to embed in a one-line record: as received, unless it spans lines (pretty
 * printed), in which case it is serialised again.
 */
function compactDetail(text: string, parsed: unknown): string {
  return text.includes('\n') || text.includes('\r') ? JSON.stringify(parsed) : text;
}

function entryError(code: string, message: string): PutEventsResultEntry {
  return { ErrorCode: code, ErrorMessage: message };
}

let isoCache = { second: -1, text: '' };
/** ISO-8601 time to the second, as EventBridge writes `time` (cached: one Date per second). */
function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoCache.second) isoCache = { second, text: new Date(second * 1000).toISOString().replace('.000Z', 'Z') };
  return isoCache.text;
}

function metadataOf(event: BusEvent): Record<string, unknown> | undefined {
  const detail = event.detail as { metadata?: unknown } | null;
  const metadata = detail?.metadata;
  return metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined;
}

function lineageOf(event: BusEvent): MessageLineage {
  const correlationId = metadataOf(event)?.['correlationId'];
  return {
    eventId: event.id,
    topic: event['detail-type'],
    ...(typeof correlationId === 'string' && { correlationId }),
  };
}

function stringOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parseInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function backoffSeconds(attempt: number): number {
  // Exponential with full jitter, capped: 1 s, 2 s, 4 s … 60 s.
  const ceiling = Math.min(BACKOFF_CAP_SECONDS, 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(Math.random() * ceiling));
}
