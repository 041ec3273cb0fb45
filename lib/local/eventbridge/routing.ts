/**
 * Routing: an accepted event is matched against its bus's enabled rules (the bus's
 * PatternIndex) and handed to each matching rule's targets (target-delivery.ts); the journal
 * says which rules matched. Why the others did not is worked out when the journal is read
 * (lib/local/journal/rule-mismatches.ts), from the event and the bus's rules, which routing
 * journals (`bus.rules`) before the first event it routes with them: per event, routing costs
 * what the matching rules cost, however many rules the bus has. Nothing here waits for disk:
 * the caller (PutEvents, replay, a bus target) awaits durability once for all it routed.
 */
import type { JournaledRule } from '../journal/types.ts';
import { isoMillisFormatter } from '../iso-time.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import type { EventArchive } from './archive.ts';
import { busNameOf, type Bus, type CompiledTarget, type Rule } from './declarations.ts';
import { TargetMissingError } from './dead-letter.ts';
import type { JournalSink } from './journal-sink.ts';
import type { MatchedEvent } from './target-delivery.ts';
import type { BusEvent } from './types.ts';

export interface RouteOptions {
  readonly traceHeader?: string;
  /** Route to these rules only (a replay's FilterArns). */
  readonly onlyRules?: ReadonlySet<string>;
  /** The event came from a rule of another bus (a bus target). */
  readonly forwarded?: boolean;
  /** Who published it (audit). */
  readonly principal?: string;
}

export interface RouterOptions {
  readonly buses: ReadonlyMap<string, Bus>;
  readonly archive: EventArchive;
  readonly journal: JournalSink | undefined;
  /** The account and region of the engine: a bus target must be one of its buses. */
  readonly busArnPrefix: string;
  /** Hand a matched event to one target of a rule (TargetDelivery.deliver). */
  deliver(rule: Rule, target: CompiledTarget, matched: MatchedEvent): void;
}

const NO_OPTIONS: RouteOptions = {};

export class Router {
  /** Each bus's `rulesVersion` its last `bus.rules` journal record lists. */
  private readonly journaledRules = new WeakMap<Bus, number>();
  /** Ingestion times, formatted once per millisecond. */
  private readonly isoMillis = isoMillisFormatter();

  constructor(private readonly options: RouterOptions) {}

  route(bus: Bus, event: BusEvent, eventText: string, now: number, options: RouteOptions = NO_OPTIONS): void {
    const metadata = metadataOf(event);
    const lineage = lineageOf(event, metadata);
    const journal = this.options.journal;
    const onlyRules = options.onlyRules;
    if (journal) {
      if (this.journaledRules.get(bus) !== bus.rulesVersion) {
        journal.write({ kind: 'bus.rules', bus: bus.name, rules: [...bus.rules.values()].map(journaledRule) });
        this.journaledRules.set(bus, bus.rulesVersion);
      }
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
          onlyRules: onlyRules && [...onlyRules],
          principal: options.principal,
        },
        event,
        eventText,
      );
    }
    const matched = bus.index.match(event);
    const delivered: MatchedEvent | undefined = matched.length === 0 ? undefined : {
      event,
      eventText,
      now,
      ingestionTime: this.isoMillis(now),
      traceHeader: options.traceHeader,
      lineage,
      forwarded: options.forwarded === true,
    };
    for (const rule of matched) {
      if (onlyRules && !onlyRules.has(rule.name)) continue;
      journal?.write({ kind: 'rule.matched', eventId: event.id, bus: bus.name, rule: rule.name, targets: rule.targetIds, topic: event['detail-type'], correlationId: lineage.correlationId });
      for (const target of rule.targets.values()) this.options.deliver(rule, target, delivered!);
    }
  }

  /**
   * A bus target: the event, unchanged (same id, source, detail-type, time), is received by the
   * other bus: archived there and routed to its rules, in the same step as the routing that
   * matched it. Throws TargetMissingError when the ARN names no bus of this engine.
   */
  forward(busArn: string, matched: MatchedEvent): void {
    const bus = busArn.startsWith(this.options.busArnPrefix) ? this.options.buses.get(busNameOf(busArn)) : undefined;
    if (!bus) throw new TargetMissingError(`Event bus ${busArn} does not exist in this account and region.`);
    this.options.archive.add(bus.name, matched.eventText);
    this.route(bus, matched.event, matched.eventText, matched.now, { ...(matched.traceHeader !== undefined && { traceHeader: matched.traceHeader }), forwarded: true });
  }
}

function journaledRule(rule: Rule): JournaledRule {
  return { name: rule.name, pattern: rule.pattern.text, state: rule.enabled ? 'ENABLED' : 'DISABLED' };
}

export function metadataOf(event: BusEvent): Record<string, unknown> | undefined {
  const detail = event.detail as { metadata?: unknown } | null;
  const metadata = detail?.metadata;
  return metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined;
}

function lineageOf(event: BusEvent, metadata: Record<string, unknown> | undefined): MessageLineage {
  const correlationId = metadata?.['correlationId'];
  return typeof correlationId === 'string' ? { eventId: event.id, topic: event['detail-type'], correlationId } : { eventId: event.id, topic: event['detail-type'] };
}
