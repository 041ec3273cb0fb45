/**
 * The SQS engine's state: its queues, and the log records that change them. Every change is
 * expressed as a record, applied to memory at once and appended to the store (see ../store).
 * Recovery applies the same records (recovery.ts), so what a restart rebuilds is exactly what
 * was logged.
 *
 * Records (field `t`):
 *   queue  {name, attributes, createdAt, internal}  create / set attributes
 *   send   {q, m: StoredMessage}                      a message enqueued (incl. dead-letter moves)
 *   recv   {q, id, rc, avail, first, h}               received: count, when visible again, receipt token
 *   vis    {q, id, avail}                             ChangeMessageVisibility
 *   del    {q, id}                                    deleted (or expired, or moved away)
 *   purge  {q}
 *   tags   {q, tags}                                 the queue's whole tag map (TagQueue, UntagQueue, CreateQueue tags)
 *   drop   {q}                                       DeleteQueue: the queue and its messages are gone
 *   dedupe {q, key, id, seq, until}                   (snapshots only) FIFO dedupe window entries
 */
import { queueDoesNotExist } from './errors.ts';
import { Queue, type LiveMessage, type MessageLineage, type StoredMessage } from './queue.ts';
import type { QueueTags } from './queue-tags.ts';
import type { QueueAttributes } from './types.ts';
import type { Clock } from '../clock.ts';

/** Where records go: the engine passes its StateStore. */
export interface RecordSink {
  appendLazy(record: unknown): void;
  flush(): Promise<void>;
}

/** Hooks for the lineage journal. */
export interface SqsObserver {
  enqueued?(queue: Queue, message: StoredMessage, via: string): void;
  received?(queue: Queue, message: StoredMessage): void;
  deleted?(queue: Queue, message: StoredMessage): void;
  deadLettered?(queue: Queue, deadLetterQueue: Queue, message: StoredMessage): void;
}

/**
 * Delivery faults injected on purpose (the engine's chaos mode, lib/local/chaos/sqs-faults.ts).
 * Each method decides for one message and journals the fault when it strikes.
 */
export interface SqsFaults {
  /** Extra milliseconds before a message just sent becomes visible (0: none). */
  sendDelayMs(queue: Queue, messageId: string, lineage: MessageLineage | undefined): number;
  /** Whether deleting this message leaves a copy behind, delivered again; the callback gets the copy's id. */
  leavesCopy(queue: Queue, message: StoredMessage): ((copyId: string) => void) | undefined;
  /** Whether a receive passes over this visible message, so messages behind it are delivered first. */
  passesOver(queue: Queue, message: StoredMessage): boolean;
  /** A message passed over was overtaken: `by` was received before it. */
  overtaken(queue: Queue, message: StoredMessage, by: StoredMessage): void;
}

export interface SqsServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** Base of queue URLs, e.g. "http://127.0.0.1:4747". Can be set later (port known after listen). */
  baseUrl: string;
  /** @default systemClock */
  readonly clock?: Clock;
}

export type SqsRecord =
  | { t: 'queue'; name: string; attributes: QueueAttributes; createdAt: number; internal?: boolean }
  | { t: 'send'; q: string; m: StoredMessage }
  | { t: 'recv'; q: string; id: string; rc: number; avail: number; first: number; h?: string }
  | { t: 'vis'; q: string; id: string; avail: number }
  | { t: 'del'; q: string; id: string }
  | { t: 'purge'; q: string }
  | { t: 'tags'; q: string; tags: QueueTags }
  | { t: 'drop'; q: string }
  | { t: 'dedupe'; q: string; key: string; id: string; seq: string; until: number };

const SQS_RECORD_TYPES = new Set(['queue', 'send', 'recv', 'vis', 'del', 'purge', 'dedupe', 'tags', 'drop']);

export function isSqsRecord(record: { t?: unknown }): record is SqsRecord {
  return typeof record.t === 'string' && SQS_RECORD_TYPES.has(record.t);
}

export class SqsState {
  readonly queues = new Map<string, Queue>();
  /** False while recovery replays the log (indexes are built once, at its end). */
  live = false;
  closed = false;
  /** Records committed so far (tells receive whether it changed anything it must wait for). */
  commits = 0;
  observer: SqsObserver = {};
  /** Delivery faults to inject (chaos mode); none when undefined. */
  faults: SqsFaults | undefined;

  constructor(
    private readonly sink: RecordSink,
    readonly options: SqsServiceOptions,
    /** The engine's time (a test harness can make it virtual; see lib/local/clock.ts). */
    readonly clock: Clock,
  ) {}

  urlOf(name: string): string {
    return `${this.options.baseUrl}/${this.options.accountId}/${name}`;
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`;
  }

  /** Look a queue up by name, URL or ARN; throws QueueDoesNotExist. */
  get(nameUrlOrArn: string): Queue {
    const queue = this.queues.get(queueNameOf(nameUrlOrArn));
    if (!queue) throw queueDoesNotExist(nameUrlOrArn);
    return queue;
  }

  find(nameUrlOrArn: string): Queue | undefined {
    return this.queues.get(queueNameOf(nameUrlOrArn));
  }

  /** Log the change and apply it. */
  commit(record: SqsRecord, now: number): void {
    // Serialise first: apply() adds index fields to the message object it is given.
    this.sink.appendLazy(record);
    this.commits++;
    this.apply(record, now);
  }

  /** Resolves once every change made so far is on disk. */
  durable(): Promise<void> {
    return this.sink.flush();
  }

  apply(record: SqsRecord, now: number): void {
    if (record.t === 'queue') {
      const existing = this.queues.get(record.name);
      if (existing) existing.setAttributes(record.attributes, now);
      else this.queues.set(record.name, new Queue(record.name, this.arnOf(record.name), record.attributes, record.createdAt, record.internal ?? false, this.clock));
      return;
    }
    const queue = this.queues.get(record.q);
    if (!queue) return; // a record for a queue that no longer exists
    switch (record.t) {
      case 'send':
        queue.add(record.m, now, this.live);
        break;
      case 'recv': {
        const m = queue.messages.get(record.id);
        if (!m) break;
        m.rc = record.rc;
        m.first ??= record.first;
        m.receipt = record.h;
        m.leaseStart = now;
        queue.setAvailable(m, record.avail, now, this.live);
        break;
      }
      case 'vis': {
        const m = queue.messages.get(record.id);
        if (m) queue.setAvailable(m, record.avail, now, this.live);
        break;
      }
      case 'del': {
        const m = queue.messages.get(record.id);
        if (m) queue.remove(m);
        break;
      }
      case 'purge':
        queue.purge();
        break;
      case 'tags':
        queue.tags = { ...record.tags };
        break;
      case 'drop':
        this.queues.delete(queue.name);
        queue.stopTimers();
        // Long polls on it end empty (they see the queue is gone).
        for (const waiter of [...queue.waiters]) waiter();
        break;
      case 'dedupe':
        queue.dedupe.set(record.key, { id: record.id, seq: record.seq, until: record.until });
        break;
    }
  }

  /**
   * Drop messages older than the queue's retention period. Receiving drops them as it meets
   * them; this is for views of the whole queue (counts, peek, move) of queues nobody receives
   * from, such as DLQs.
   */
  dropExpired(queue: Queue, now: number): void {
    const oldest = now - queue.settings.retentionSeconds * 1000;
    for (const m of queue.messages.values()) {
      if (m.sent < oldest) this.commit({ t: 'del', q: queue.name, id: m.id }, now);
    }
  }
}

/** Name from a queue name, URL (…/<account>/<name>) or ARN (arn:aws:sqs:<region>:<account>:<name>). */
export function queueNameOf(ref: string): string {
  if (ref.startsWith('arn:')) return ref.slice(ref.lastIndexOf(':') + 1);
  if (ref.includes('/')) return ref.slice(ref.lastIndexOf('/') + 1);
  return ref;
}

/** The message as logged: without the in-memory index fields. */
export function storedOf(m: StoredMessage): StoredMessage {
  const { state: _state, stamp: _stamp, leaseStart: _leaseStart, ...stored } = m as LiveMessage;
  return stored;
}
