/**
 * One queue's in-memory state. The service (sqs-service.ts) decides what happens and logs
 * it; this class keeps the messages and the indexes that make receiving cheap:
 *
 * - standard queues: `ready` (visible messages, oldest first) and a heap of messages that
 *   become visible later (delayed or in flight), promoted into `ready` when due;
 * - FIFO queues: messages per group in send order; a group is served only from its head,
 *   and is blocked while any of its messages is in flight. The heap then only tells long polls
 *   when to look again.
 *
 * Entries in `ready` and the heap are not removed when a message changes; instead each
 * message carries a `stamp` bumped on every visibility change, and stale entries are skipped.
 */
import { MinHeap } from './min-heap.ts';
import { invalidParameter } from './errors.ts';
import type { QueueAttributes } from './types.ts';
import type { Clock, ClockTimer } from '../clock.ts';

/** A stored message attribute (binary values base64-encoded, as on the wire and on disk). */
export interface StoredAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** Lineage of a message, for the journal (not visible to SQS clients). */
export interface MessageLineage {
  readonly eventId?: string;
  readonly correlationId?: string;
  readonly topic?: string;
}

/** A message's lineage as journal record fields (only those it has). */
export function lineageFields(lineage: MessageLineage | undefined): { eventId?: string; correlationId?: string; topic?: string } {
  return withLineage({}, lineage);
}

/**
 * `fields` (a record being built) with the lineage's fields added after its own (only those it
 * has): what `{ ...fields, ...lineageFields(lineage) }` gives, without the copies (it runs for
 * every message enqueued).
 */
export function withLineage<F extends object>(fields: F, lineage: MessageLineage | undefined): F & { eventId?: string; correlationId?: string; topic?: string } {
  const out = fields as F & { eventId?: string; correlationId?: string; topic?: string };
  if (lineage === undefined) return out;
  if (lineage.eventId !== undefined) out.eventId = lineage.eventId;
  if (lineage.correlationId !== undefined) out.correlationId = lineage.correlationId;
  if (lineage.topic !== undefined) out.topic = lineage.topic;
  return out;
}

/** A message as persisted (the `m` of a `send` record). */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5: string;
  readonly attrs?: Readonly<Record<string, StoredAttribute>>;
  readonly md5Attrs?: string;
  readonly sysAttrs?: Readonly<Record<string, StoredAttribute>>;
  readonly md5SysAttrs?: string;
  /** SentTimestamp, epoch ms. */
  readonly sent: number;
  /** Epoch ms when the message is (next) visible. */
  avail: number;
  /** ApproximateReceiveCount. */
  rc: number;
  /** ApproximateFirstReceiveTimestamp, epoch ms. */
  first?: number;
  /** Token of the latest receive; its receipt handle carries it (see receipt-handle.ts). */
  receipt?: string;
  readonly group?: string;
  readonly dedupeId?: string;
  readonly seq?: string;
  readonly lineage?: MessageLineage;
  /** Set when the message was moved here from a source queue by redrive. */
  readonly deadLetterSourceArn?: string;
  /** Set on the copy a chaos `duplicate` fault left: the id of the message it copies. */
  readonly copyOf?: string;
}

const READY = 0;
const WAITING = 1;
const GONE = 2;

export interface LiveMessage extends StoredMessage {
  state: number;
  stamp: number;
  /** When the current receive began (in memory only: leases do not outlive the engine). */
  leaseStart?: number;
}

/** A reorder fault (chaos mode): which visible messages a receive passes over, and who overtook them. */
export interface Reorder {
  passesOver(m: LiveMessage): boolean;
  overtaken(m: LiveMessage, by: LiveMessage): void;
}

interface Group {
  readonly messages: LiveMessage[];
  head: number;
}

export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds: number;
  readonly retentionSeconds: number;
  readonly maximumMessageSize: number;
  readonly receiveWaitSeconds: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  readonly contentBasedDeduplication: boolean;
  readonly deduplicationScope: 'queue' | 'messageGroup';
}

export const FIFO_DEDUPE_WINDOW_MS = 5 * 60 * 1000;

/** Attributes that an empty string removes instead of setting. */
const REMOVED_WHEN_EMPTY = ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy'] as const;

export class Queue {
  readonly fifo: boolean;
  attributes: Record<string, string>;
  settings: QueueSettings;
  /** Cost allocation tags (TagQueue); no meaning to the queue. */
  tags: Record<string, string> = {};
  readonly messages = new Map<string, LiveMessage>();
  private ready: LiveMessage[] = [];
  private readyHead = 0;
  private readonly later = new MinHeap<{ m: LiveMessage; stamp: number }>();
  private readonly groups = new Map<string, Group>();
  /** FIFO dedupe: key → first message id and sequence number, in send order (oldest first). */
  readonly dedupe = new Map<string, { id: string; seq: string; until: number }>();
  sequence = 0n;
  lastModified: number;
  /** Long polls waiting on this queue; called when messages may have become available. */
  readonly waiters = new Set<() => void>();
  private wakeTimer: ClockTimer | undefined;
  private wakeAt = Infinity;
  private signalPending = false;

  constructor(
    readonly name: string,
    readonly arn: string,
    attributes: QueueAttributes,
    readonly createdAt: number,
    /** Internal queues (rule → Lambda delivery buffers) are not listed by ListQueues. */
    readonly internal: boolean,
    private readonly clock: Clock,
  ) {
    this.fifo = name.endsWith('.fifo');
    this.attributes = {};
    this.settings = parseSettings(name, {});
    this.lastModified = createdAt;
    this.setAttributes(attributes, createdAt);
  }

  setAttributes(attributes: QueueAttributes, now: number): void {
    const merged: Record<string, string> = { ...this.attributes };
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) merged[key] = String(value);
    // An empty policy removes it (SetQueueAttributes with RedrivePolicy "" turns redrive off).
    for (const key of REMOVED_WHEN_EMPTY) if (merged[key] === '') delete merged[key];
    if (this.fifo) merged['FifoQueue'] = 'true';
    this.settings = parseSettings(this.name, merged);
    this.attributes = merged;
    this.lastModified = now;
  }

  // ---- changes (used live and when replaying the log) ----------------------

  add(stored: StoredMessage, now: number, live: boolean): LiveMessage {
    const m = stored as LiveMessage;
    m.state = m.avail <= now ? READY : WAITING;
    m.stamp = 0;
    this.messages.set(m.id, m);
    if (m.seq !== undefined) {
      const seq = BigInt(m.seq);
      if (seq > this.sequence) this.sequence = seq;
    }
    if (this.fifo && m.dedupeId !== undefined) {
      this.dedupe.set(this.dedupeKey(m.group, m.dedupeId), { id: m.id, seq: m.seq ?? '', until: m.sent + FIFO_DEDUPE_WINDOW_MS });
    }
    if (live) this.index(m);
    return m;
  }

  /** Sets when a message is next visible (receive, ChangeMessageVisibility). */
  setAvailable(m: LiveMessage, avail: number, now: number, live: boolean): void {
    m.avail = avail;
    m.stamp++;
    m.state = avail <= now ? READY : WAITING;
    if (!live) return;
    if (this.fifo) {
      if (m.state === WAITING) this.later.push(avail, { m, stamp: m.stamp });
    } else if (m.state === READY) {
      this.ready.push(m);
    } else {
      this.later.push(avail, { m, stamp: m.stamp });
    }
  }

  remove(m: LiveMessage): void {
    m.state = GONE;
    this.messages.delete(m.id);
  }

  purge(): void {
    for (const m of this.messages.values()) m.state = GONE;
    this.messages.clear();
    this.ready = [];
    this.readyHead = 0;
    this.later.clear();
    this.groups.clear();
  }

  /** Rebuild the indexes from `messages` (after replaying the log). */
  rebuild(now: number): void {
    this.ready = [];
    this.readyHead = 0;
    this.later.clear();
    this.groups.clear();
    for (const m of this.messages.values()) {
      m.state = m.avail <= now ? READY : WAITING;
      this.index(m);
    }
  }

  private index(m: LiveMessage): void {
    if (this.fifo) {
      const key = m.group ?? '';
      let group = this.groups.get(key);
      if (!group) {
        group = { messages: [], head: 0 };
        this.groups.set(key, group);
      }
      group.messages.push(m);
      if (m.state === WAITING) this.later.push(m.avail, { m, stamp: m.stamp });
    } else if (m.state === READY) {
      this.ready.push(m);
    } else {
      this.later.push(m.avail, { m, stamp: m.stamp });
    }
  }

  // ---- receiving ------------------------------------------------------------

  /**
   * Pick up to `max` messages that may be received now, in order. `admit` decides per
   * candidate: 'take' (it will be received), 'skip' (it was expired or dead-lettered and
   * removed by the caller). Taken messages are not changed here; the caller marks them.
   */
  pick(now: number, max: number, admit: (m: LiveMessage) => 'take' | 'skip', reorder?: Reorder): LiveMessage[] {
    return this.fifo ? this.pickFifo(now, max, admit) : this.pickStandard(now, max, admit, reorder);
  }

  private pickStandard(now: number, max: number, admit: (m: LiveMessage) => 'take' | 'skip', reorder: Reorder | undefined): LiveMessage[] {
    this.promote(now);
    const out: LiveMessage[] = [];
    // Messages a reorder fault passes over, with how many were taken before each.
    const passed: { m: LiveMessage; at: number }[] = [];
    while (out.length < max && this.readyHead < this.ready.length) {
      const m = this.ready[this.readyHead++]!;
      if (m.state !== READY || m.avail > now) continue;
      if (admit(m) !== 'take') continue;
      if (reorder?.passesOver(m)) passed.push({ m, at: out.length });
      else out.push(m);
    }
    // A message passed over goes at the end of this batch when there is room, else back to the
    // end of the visible messages; either way a message taken after it has overtaken it.
    const taken = out.length;
    for (const { m, at } of passed) {
      if (at < taken) reorder!.overtaken(m, out[at]!);
      if (out.length < max) out.push(m);
      else this.ready.push(m);
    }
    // Drop the consumed prefix now and then so the array does not grow without bound.
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    return out;
  }

  private promote(now: number): void {
    while ((this.later.peekKey() ?? Infinity) <= now) {
      const { m, stamp } = this.later.pop()!;
      if (m.state === WAITING && m.stamp === stamp) {
        m.state = READY;
        this.ready.push(m);
      }
    }
  }

  private pickFifo(now: number, max: number, admit: (m: LiveMessage) => 'take' | 'skip'): LiveMessage[] {
    const out: LiveMessage[] = [];
    for (const [key, group] of this.groups) {
      if (out.length >= max) break;
      // Skip removed messages at the head.
      while (group.head < group.messages.length && group.messages[group.head]!.state === GONE) group.head++;
      if (group.head >= group.messages.length) {
        this.groups.delete(key);
        continue;
      }
      if (group.head > 64 && group.head * 2 > group.messages.length) {
        group.messages.splice(0, group.head);
        group.head = 0;
      }
      // No message of a group is returned while another of it is in flight, even when the one
      // at the head is visible again (its lease lapsed while a later one is still held).
      if (this.groupInFlight(group, now)) continue;
      // In order within the group: take from the head while messages are visible; a delayed
      // message blocks everything behind it.
      for (let i = group.head; i < group.messages.length && out.length < max; i++) {
        const m = group.messages[i]!;
        if (m.state === GONE) continue;
        if (m.avail > now) break;
        if (admit(m) === 'take') out.push(m);
        else if (m.state !== GONE) break;
      }
    }
    return out;
  }

  /**
   * Whether a message of the group is in flight (received, its visibility timeout not over).
   * A group is received in order, so its received messages come first: the scan ends at the
   * first message never received, and costs no more than the messages received and not yet
   * deleted.
   */
  private groupInFlight(group: Group, now: number): boolean {
    for (let i = group.head; i < group.messages.length; i++) {
      const m = group.messages[i]!;
      if (m.state === GONE) continue;
      if (m.rc === 0) return false;
      if (m.avail > now) return true;
    }
    return false;
  }

  /**
   * Earliest future time a message becomes visible (for long-poll wake-ups). Callers have
   * just offered every message visible now to the waiting polls, so entries already due are
   * done with: a standard queue promotes them to `ready`, a FIFO queue (whose heap only
   * times wake-ups) drops them — keeping them would re-arm a wake-up in the past over and
   * over while a group stays blocked.
   */
  nextAvailable(now: number): number | undefined {
    while (this.later.size > 0) {
      const top = this.later.peek()!;
      if (top.m.state === GONE || top.m.stamp !== top.stamp) {
        this.later.pop();
        continue;
      }
      if (top.m.avail <= now) {
        if (this.fifo) this.later.pop();
        else this.promote(now);
        continue;
      }
      return top.m.avail;
    }
    return undefined;
  }

  /**
   * Wake long polls at the end of this turn of the event loop and, if some still wait, again
   * when the next message becomes visible. Not at once: the entries of one PutEvents or
   * SendMessageBatch are enqueued one by one in the same turn, and a poll woken by the first
   * would leave with a batch of one, the next poll with the next one, and so on — a handler
   * invocation per message instead of one per batch. Deferred, the first poll takes the whole
   * burst (up to its MaxNumberOfMessages), as soon as it is all there.
   */
  signal(_now: number): void {
    if (this.waiters.size === 0 || this.signalPending) return;
    this.signalPending = true;
    setImmediate(() => {
      this.signalPending = false;
      if (this.waiters.size === 0) return;
      for (const waiter of [...this.waiters]) waiter();
      this.scheduleWake(this.clock.now());
    }).unref();
  }

  scheduleWake(now: number): void {
    if (this.waiters.size === 0) return;
    const next = this.nextAvailable(now);
    if (next === undefined || next >= this.wakeAt) return;
    this.wakeTimer?.cancel();
    this.wakeAt = next;
    this.wakeTimer = this.clock.after(Math.max(0, next - now) + 1, () => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.signal(this.clock.now());
    });
  }

  stopTimers(): void {
    this.wakeTimer?.cancel();
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages.values()) {
      if (m.avail <= now) visible++;
      else if (m.rc > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /**
   * The key a deduplication id is remembered under: per queue, or per message group when
   * DeduplicationScope is messageGroup ("CreateQueue - Amazon Simple Queue Service":
   * DeduplicationScope "Specifies whether message deduplication occurs at the message group or
   * queue level").
   */
  dedupeKey(group: string | undefined, dedupeId: string): string {
    return this.settings.deduplicationScope === 'messageGroup' ? `${group ?? ''}\n${dedupeId}` : dedupeId;
  }

  /** Forget FIFO dedupe entries older than the window (entries are kept oldest first). */
  pruneDedupe(now: number): void {
    for (const [key, entry] of this.dedupe) {
      if (entry.until > now) break;
      this.dedupe.delete(key);
    }
  }
}

function parseSettings(name: string, attributes: Readonly<Record<string, string>>): QueueSettings {
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const text = attributes[key];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalidParameter(`Invalid value for the parameter ${key} of queue ${name}: "${text}" (allowed: an integer from ${min} to ${max}).`);
    }
    return value;
  };
  let redrive: QueueSettings['redrive'];
  const redriveText = attributes['RedrivePolicy'];
  if (redriveText) {
    let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    try {
      parsed = JSON.parse(redriveText) as typeof parsed;
    } catch {
      throw invalidParameter(`Invalid value for the parameter RedrivePolicy of queue ${name}: not JSON. Expected {"deadLetterTargetArn":"arn:aws:sqs:…","maxReceiveCount":5}.`);
    }
    const count = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw invalidParameter(`Invalid value for the parameter RedrivePolicy of queue ${name}: ${redriveText}. It needs deadLetterTargetArn (a queue ARN) and maxReceiveCount (1–1000).`);
    }
    redrive = { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: count };
  }
  if (attributes['FifoQueue'] === 'true' && !name.endsWith('.fifo')) {
    throw invalidParameter(`The name of a FIFO queue must end with the .fifo suffix: ${name}.`);
  }
  if (attributes['FifoQueue'] === 'false' && name.endsWith('.fifo')) {
    throw invalidParameter(`Queue ${name} ends with .fifo but FifoQueue is "false"; remove the suffix or set FifoQueue to "true".`);
  }
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const text = attributes[key] ?? allowed[0]!;
    if (!(allowed as readonly string[]).includes(text)) {
      throw invalidParameter(`Invalid value for the parameter ${key} of queue ${name}: "${text}" (allowed: ${allowed.join(', ')}).`);
    }
    return text as T;
  };
  oneOf('FifoThroughputLimit', ['perQueue', 'perMessageGroupId']);
  return {
    visibilityTimeoutSeconds: int('VisibilityTimeout', 30, 0, 43_200),
    delaySeconds: int('DelaySeconds', 0, 0, 900),
    retentionSeconds: int('MessageRetentionPeriod', 345_600, 60, 1_209_600),
    maximumMessageSize: int('MaximumMessageSize', 1_048_576, 1024, 1_048_576),
    receiveWaitSeconds: int('ReceiveMessageWaitTimeSeconds', 0, 0, 20),
    redrive,
    contentBasedDeduplication: attributes['ContentBasedDeduplication'] === 'true',
    deduplicationScope: oneOf('DeduplicationScope', ['queue', 'messageGroup']),
  };
}
