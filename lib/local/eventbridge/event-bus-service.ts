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
 * Buses, rules, targets and policies live in declarations.ts (durable records of the engine's
 * log); this module routes events through them and adds no per-event work of its own.
 */
import { randomUUID } from 'node:crypto';
import { formatMismatch } from '../pattern/index.ts';
import type { SqsService } from '../sqs/sqs-service.ts';
import { SqsError } from '../sqs/errors.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import type { JournalEntry } from '../journal/types.ts';
import { EventBridgeError } from './errors.ts';
import { readPath } from './json-path.ts';
import { busNameOf, compilePatternOrThrow, Declarations, type Bus, type CompiledTarget, type Rule } from './declarations.ts';
import type { EventArchive } from './archive.ts';
import { systemClock, type Clock } from '../clock.ts';

export { busNameOf } from './declarations.ts';
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
const DELIVERY_CONCURRENCY = 64;
const BACKOFF_CAP_SECONDS = 60;

export interface JournalSink {
  append(entry: JournalEntry): void;
  /** append() of an event.accepted record with the event already serialised. */
  appendAccepted(entry: Omit<Extract<JournalEntry, { kind: 'event.accepted' }>, 'event'>, event: unknown, eventText: string): void;
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
  /** @default systemClock */
  readonly clock?: Clock;
}

export class EventBusService {
  /** Buses, rules, targets, archives and policies (durable; see declarations.ts). */
  readonly declarations: Declarations;
  /** declarations.buses, held directly for the per-event path. */
  private readonly buses: Map<string, Bus>;
  private invoker: LambdaInvoker | undefined;
  private worker: { abort: AbortController; done: Promise<void> } | undefined;
  private active = 0;
  private readonly idle = new Set<() => void>();

  /** The engine's time (lib/local/clock.ts). */
  readonly clock: Clock;

  constructor(private readonly options: EventBusOptions) {
    this.clock = options.clock ?? systemClock;
    this.declarations = new Declarations({ region: options.region, accountId: options.accountId });
    this.buses = this.declarations.buses;
  }

  setLambdaInvoker(invoker: LambdaInvoker): void {
    this.invoker = invoker;
  }

  // ---- declarations (declarations.ts) -------------------------------------------

  createBus(name: string): { name: string; arn: string } {
    const bus = this.declarations.createBus(name);
    return { name: bus.name, arn: bus.arn };
  }

  putRule(definition: RuleDefinition): { arn: string } {
    return { arn: this.declarations.putRule(definition).arn };
  }

  putTargets(busName: string | undefined, ruleName: string, targets: readonly TargetDefinition[]): void {
    this.declarations.putTargets(busName, ruleName, targets);
  }

  createArchive(definition: ArchiveDefinition): void {
    this.declarations.createArchive(definition);
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
    // The size limit applies to the request's entries together (PutEvents API reference: "the
    // total entry size must be less than" the limit), so one entry over it fails the call too.
    // Counting characters first keeps the exact UTF-8 count off the common path.
    let chars = 0;
    for (const entry of entries) chars += entrySize(entry, (text) => text.length);
    if (chars * 3 > MAX_ENTRY_BYTES) {
      let bytes = 0;
      for (const entry of entries) bytes += entrySize(entry, Buffer.byteLength);
      if (bytes > MAX_ENTRY_BYTES) throw new EventBridgeError('ValidationException', `Total size of the entries in the request is over the limit: ${bytes} bytes, at most ${MAX_ENTRY_BYTES} (Source + DetailType + Detail + Resources, + 14 for Time).`);
    }
    const now = this.clock.now();
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
      const final = permanent || attempt > maxRetries || this.clock.now() - pending.acceptedAt >= maxAgeMs;
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
    const bus = this.declarations.bus(options.busName);
    if (!(options.from instanceof Date) || !(options.to instanceof Date) || options.from.getTime() >= options.to.getTime()) {
      throw new EventBridgeError('ValidationException', 'Replay needs from < to (Dates).');
    }
    const replayName = options.replayName ?? `replay-${this.clock.now()}`;
    const onlyRules = options.ruleNames ? new Set(options.ruleNames) : undefined;
    let count = 0;
    await this.options.archive.read(bus.name, options.from, options.to, (archived) => {
      if (options.filter && !options.filter({ bus: bus.name, event: archived })) return;
      const event: BusEvent = { ...archived, 'replay-name': replayName };
      this.route(bus, event, JSON.stringify(event), this.clock.now(), undefined, onlyRules);
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
    const archive = this.declarations.archives.get(archiveName);
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

  busArn(name: string): string {
    return this.declarations.busArn(name);
  }

  replayArn(name: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:replay/${name}`;
  }

  ruleArn(bus: string, rule: string): string {
    return this.declarations.ruleArn(bus, rule);
  }
}

/**
 * Detail text fit to embed in a one-line record: as received, unless it spans lines (pretty
 * printed), in which case it is serialised again.
 */
function compactDetail(text: string, parsed: unknown): string {
  return text.includes('\n') || text.includes('\r') ? JSON.stringify(parsed) : text;
}

/** An entry's size as EventBridge counts it ("Calculating PutEvents event entry size"). */
function entrySize(entry: PutEventsRequestEntry, measure: (text: string) => number): number {
  if (entry === null || typeof entry !== 'object') return 0;
  let size = entry.Time !== undefined ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail]) if (typeof text === 'string') size += measure(text);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) if (typeof r === 'string') size += measure(r);
  return size;
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
