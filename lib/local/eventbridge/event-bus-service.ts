/**
 * The EventBridge side of the engine, composed of one part per concern:
 *
 * - declarations.ts: buses, rules, targets, archives and bus policies (durable records);
 * - event-intake.ts: PutEvents' limits and each entry turned into an event;
 * - routing.ts: matching an event against its bus's rules (and bus-to-bus forwarding);
 * - target-delivery.ts: delivery to targets, retries, dead letters (dead-letter.ts);
 * - replay.ts: archived events routed again.
 *
 * PutEvents resolves when the accepted events (archive) and the deliveries made with them
 * (the queue log) are on disk.
 */
import type { SqsService } from '../sqs/sqs-service.ts';
import { systemClock, type Clock } from '../clock.ts';
import { EventBridgeError } from './errors.ts';
import { compilePatternOrThrow, Declarations, type Bus } from './declarations.ts';
import type { EventArchive } from './archive.ts';
import { checkPutEventsRequest, intakeContext, takeEntry, type IntakeContext } from './event-intake.ts';
import type { JournalSink } from './journal-sink.ts';
import { replay, replayFromArchive, type ReplayContext } from './replay.ts';
import { Router, type RouteOptions } from './routing.ts';
import { TargetDelivery, type TargetDeliveryOptions } from './target-delivery.ts';
import type {
  ArchiveDefinition,
  LambdaInvoker,
  PutEventsRequestEntry,
  PutEventsResult,
  PutEventsResultEntry,
  ReplayOptions,
  ReplayResult,
  RuleDefinition,
  TargetDefinition,
} from './types.ts';

export { busNameOf } from './declarations.ts';
export { DELIVERY_QUEUE } from './target-delivery.ts';
export type { JournalSink } from './journal-sink.ts';

export interface EventBusOptions {
  readonly region: string;
  readonly accountId: string;
  readonly sqs: SqsService;
  readonly archive: EventArchive;
  readonly journal?: JournalSink;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Whether a fault (chaos mode) delivers a matched event to a target twice. */
  readonly deliversTwice?: TargetDeliveryOptions['deliversTwice'];
  /** IAM on rule → queue deliveries (TargetDeliveryOptions.refuseDelivery). */
  readonly refuseDelivery?: (ruleArn: string, queueArn: string) => string | undefined;
}

export class EventBusService {
  /** Buses, rules, targets, archives and policies (durable; see declarations.ts). */
  readonly declarations: Declarations;
  /** declarations.buses, held directly for the per-event path. */
  private readonly buses: Map<string, Bus>;
  private readonly router: Router;
  private readonly delivery: TargetDelivery;
  private readonly replays: ReplayContext;
  /** What PutEvents takes each entry with (event-intake.ts). */
  private readonly intake: IntakeContext;

  /** The engine's time (lib/local/clock.ts). */
  readonly clock: Clock;

  constructor(private readonly options: EventBusOptions) {
    this.clock = options.clock ?? systemClock;
    this.declarations = new Declarations({ region: options.region, accountId: options.accountId, clock: this.clock });
    this.buses = this.declarations.buses;
    this.intake = intakeContext(this.buses, options.accountId, options.region);
    this.delivery = new TargetDelivery({
      sqs: options.sqs,
      journal: options.journal,
      clock: this.clock,
      findTarget: (bus, rule, targetId) => this.buses.get(bus)?.rules.get(rule)?.targets.get(targetId),
      ruleArn: (bus, rule) => this.declarations.ruleArn(bus, rule),
      forward: (busArn, matched) => this.router.forward(busArn, matched),
      ...(options.deliversTwice && { deliversTwice: options.deliversTwice }),
      ...(options.refuseDelivery && { refuseDelivery: options.refuseDelivery }),
    });
    this.router = new Router({
      buses: this.buses,
      archive: options.archive,
      journal: options.journal,
      busArnPrefix: this.declarations.busArn(''),
      deliver: (rule, target, matched) => this.delivery.deliver(rule, target, matched),
    });
    this.replays = { declarations: this.declarations, archive: options.archive, router: this.router, sqs: options.sqs, clock: this.clock };
  }

  setLambdaInvoker(invoker: LambdaInvoker): void {
    this.delivery.setLambdaInvoker(invoker);
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
  async putEvents(entries: readonly PutEventsRequestEntry[], options: { readonly principal?: string } = {}): Promise<PutEventsResult> {
    checkPutEventsRequest(entries);
    const now = this.clock.now();
    const results: PutEventsResultEntry[] = [];
    const routeOptions: RouteOptions = options.principal !== undefined ? { principal: options.principal } : {};
    let failed = 0;
    for (const entry of entries) {
      const taken = takeEntry(entry, now, this.intake);
      if (!('event' in taken)) {
        failed++;
        results.push(taken);
        continue;
      }
      this.options.archive.add(taken.bus.name, taken.eventText);
      this.router.route(taken.bus, taken.event, taken.eventText, now, typeof entry.TraceHeader === 'string' ? { ...routeOptions, traceHeader: entry.TraceHeader } : routeOptions);
      results.push({ EventId: taken.event.id });
    }
    const result: PutEventsResult = { FailedEntryCount: failed, Entries: results };
    // Not awaited here, so the entries (and the last event routed) are not held while the writes
    // are made durable: only the answer waits.
    return failed < entries.length ? this.whenDurable(result) : result;
  }

  /** `result` once the archive's and the queues' writes made so far are on disk. */
  private async whenDurable<T>(result: T): Promise<T> {
    await Promise.all([this.options.archive.flush(), this.options.sqs.durable()]);
    return result;
  }

  // ---- deliveries (target-delivery.ts) -----------------------------------------------

  /** Start delivering queued target deliveries (after recovery). */
  startDeliveries(): void {
    this.delivery.start();
  }

  stopDeliveries(): Promise<void> {
    return this.delivery.stop();
  }

  // ---- replay (replay.ts) -----------------------------------------------------------

  replay(options: ReplayOptions): Promise<ReplayResult> {
    return replay(this.replays, options);
  }

  replayFromArchive(options: { archiveArn: string; busArn: string; from: Date; to: Date; replayName: string; ruleNames?: readonly string[] }): Promise<ReplayResult> {
    return replayFromArchive(this.replays, options);
  }

  // ---- ARNs ----------------------------------------------------------------------------

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
