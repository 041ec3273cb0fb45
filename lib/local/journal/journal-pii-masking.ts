/**
 * PII mask mode in the journal: the one place where what the engine writes about an event is
 * masked, so every reader of the journal (`busline events` and its searches, `busline tail`,
 * the dashboard, the MCP tools, `busline soak`) gets `***` instead of the values of the fields
 * the event's topic schema marks PII (lib/schema/topic-pii.ts), by construction.
 *
 * Which values a record masks: its own event's for `event.accepted`; the event the writer hands
 * over (a function runner's batch or payload) or, else, the one last accepted under its
 * `eventId`, for the records of an event (deliveries, invocations with their logs and error,
 * target failures, chaos faults); for DynamoDB writes (`table.written`, which names no
 * event) the values of every event whose handler is running at that moment.
 * Masked are the fields that carry data or text about it ({@link CONTENT_FIELDS}); ids, names
 * and counts are kept, so lineage and queries work as before. The stored events themselves
 * (queues, archive, tables) keep their values (mask mode) or their envelopes (encrypt mode).
 *
 * Encrypt mode: an event holds only envelopes, but a handler receives, logs and writes the
 * values inside them; the engine opens the envelopes with its own KMS keys
 * ({@link JournalPiiMasking.openEnvelopesWith}) to learn the values it masks. The values are
 * used for masking only, never written.
 */
import { maskDeep, mergePiiMasks, type PiiMask } from '../../runtime/pii-mask.ts';
import { eventPiiMask, type EnvelopeOpener, type TopicPiiPaths } from '../../schema/topic-pii.ts';
import type { JournalEntry } from './types.ts';

/** Events whose values are kept for their later records (the newest; an older one is forgotten). */
const REMEMBERED_EVENTS = 10_000;

/** The record fields that carry an event's data or text about it; the others hold ids, names and counts. */
const CONTENT_FIELDS = ['event', 'error', 'logs', 'detail', 'items'] as const;

export class JournalPiiMasking {
  private paths: TopicPiiPaths = new Map();
  private open: EnvelopeOpener | undefined;
  /** eventId → its PII values, oldest first (Map order). */
  private readonly byEvent = new Map<string, PiiMask>();
  /** `<invocationId> <eventId>` of a started, not yet finished invocation → the event's PII values. */
  private readonly running = new Map<string, PiiMask>();

  /** The topics' PII fields (at app load, and again on each reload). */
  setTopicPiiPaths(paths: TopicPiiPaths): void {
    this.paths = paths;
  }

  /** How the values of encrypted fields are found (the engine's KMS); without it they are not masked where a handler repeats them. */
  openEnvelopesWith(open: EnvelopeOpener): void {
    this.open = open;
  }

  /** The entry as the journal writes it; `event`: the event the record is about, when the writer has it. */
  mask<E extends JournalEntry>(entry: E, event?: unknown): E {
    if (this.paths.size === 0) return entry;
    const mask = this.maskOf(entry, event);
    this.track(entry, mask);
    if (!mask) return entry;
    const out: Record<string, unknown> = { ...entry };
    for (const field of CONTENT_FIELDS) if (out[field] !== undefined) out[field] = maskDeep(out[field], mask);
    return out as E;
  }

  /** An accepted event as the journal writes it (undefined: as it is, nothing to mask). */
  maskAccepted(eventId: string, event: unknown): unknown {
    if (this.paths.size === 0) return undefined;
    const mask = this.remember(eventId, eventPiiMask(event, this.paths, this.open));
    return mask ? maskDeep(event, mask) : undefined;
  }

  private maskOf(entry: JournalEntry, event: unknown): PiiMask | undefined {
    if (entry.kind === 'event.accepted') return this.remember(entry.eventId, eventPiiMask(entry.event, this.paths, this.open));
    if (event !== undefined) {
      const mask = eventPiiMask(event, this.paths, this.open);
      return entry.eventId !== undefined ? this.remember(entry.eventId, mask) : mask;
    }
    if (entry.eventId !== undefined) return this.byEvent.get(entry.eventId);
    if (entry.kind === 'table.written') return mergePiiMasks(this.running.values());
    return undefined;
  }

  private remember(eventId: string, mask: PiiMask | undefined): PiiMask | undefined {
    if (!mask) return undefined;
    this.byEvent.delete(eventId);
    this.byEvent.set(eventId, mask);
    if (this.byEvent.size > REMEMBERED_EVENTS) this.byEvent.delete(this.byEvent.keys().next().value!);
    return mask;
  }

  /** Which events' handlers run now (their DynamoDB writes are masked with their values). */
  private track(entry: JournalEntry, mask: PiiMask | undefined): void {
    if (entry.kind === 'invocation.started' && mask) this.running.set(`${entry.invocationId} ${entry.eventId}`, mask);
    else if (entry.kind === 'invocation.finished') this.running.delete(`${entry.invocationId} ${entry.eventId}`);
  }
}
