/**
 * SQS semantics over durable state. Every change is expressed as a log record, applied to
 * memory at once and appended to the store (see ../store). Recovery applies the same records,
 * so what a restart rebuilds is exactly what was logged.
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
import { createHash, randomUUID } from 'node:crypto';
import { SqsError, invalidParameter, queueDoesNotExist } from './errors.ts';
import { handleFor, isCurrent, newReceiptToken, notAvailableForVisibilityChange, receiptHandleExpired, receiptHandleOf } from './receipt-handle.ts';
import { md5Hex, md5OfAttributes } from './md5.ts';
import { checkQueueName } from './queue-name.ts';
import { withTags, withoutTags, type QueueTags } from './queue-tags.ts';
import { Queue, type LiveMessage, type MessageLineage, type StoredAttribute, type StoredMessage } from './queue.ts';
import { systemClock, type Clock } from '../clock.ts';
import type {
  MessageAttributeValue,
  QueueAttributes,
  QueueInfo,
  ReceiveOptions,
  ReceivedMessage,
  SendMessageInput,
  SendMessageResult,
} from './types.ts';

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

export interface SqsServiceOptions {
  readonly region: string;
  readonly accountId: string;
  /** Base of queue URLs, e.g. "http://127.0.0.1:4747". Can be set later (port known after listen). */
  baseUrl: string;
  /** @default systemClock */
  readonly clock?: Clock;
}

type QueueRecord = { t: 'queue'; name: string; attributes: QueueAttributes; createdAt: number; internal?: boolean };
type SqsRecord =
  | QueueRecord
  | { t: 'send'; q: string; m: StoredMessage }
  | { t: 'recv'; q: string; id: string; rc: number; avail: number; first: number; h?: string }
  | { t: 'vis'; q: string; id: string; avail: number }
  | { t: 'del'; q: string; id: string }
  | { t: 'purge'; q: string }
  | { t: 'tags'; q: string; tags: QueueTags }
  | { t: 'drop'; q: string }
  | { t: 'dedupe'; q: string; key: string; id: string; seq: string; until: number };

const SQS_RECORD_TYPES = new Set(['queue', 'send', 'recv', 'vis', 'del', 'purge', 'dedupe', 'tags', 'drop']);
const ATTRIBUTE_NAME = /^(?!\.)(?!(?:aws|amazon)\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;
// Characters SQS accepts in a body: #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF.
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;
/** A message's visibility can be extended to at most 12 hours after it was received. */
const MAX_VISIBILITY_MS = 43_200 * 1000;

export class SqsService {
  private readonly queues = new Map<string, Queue>();
  private live = false;
  private closed = false;
  /** Records committed so far (tells receive whether it changed anything it must wait for). */
  private commits = 0;
  observer: SqsObserver = {};

  constructor(
    private readonly sink: RecordSink,
    private readonly options: SqsServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** The engine's time (a test harness can make it virtual; see lib/local/clock.ts). */
  readonly clock: Clock;

  set baseUrl(url: string) {
    this.options.baseUrl = url;
  }

  // ---- recovery ---------------------------------------------------------------

  /** Apply one recovered record; returns false if it is not an SQS record. */
  applyRecovered(record: { t?: unknown }): boolean {
    if (typeof record.t !== 'string' || !SQS_RECORD_TYPES.has(record.t)) return false;
    this.apply(record as SqsRecord, this.clock.now());
    return true;
  }

  /** After recovery: build indexes; optionally make in-flight messages visible again. */
  finishRecovery(inFlight: 'release' | 'keep'): void {
    const now = this.clock.now();
    for (const queue of this.queues.values()) {
      if (inFlight === 'release') {
        for (const m of queue.messages.values()) if (m.rc > 0 && m.avail > now) m.avail = now;
      }
      queue.pruneDedupe(now);
      queue.rebuild(now);
    }
    this.live = true;
  }

  /** The whole state as records (for a snapshot). */
  *snapshot(): Generator<SqsRecord> {
    for (const queue of this.queues.values()) {
      yield { t: 'queue', name: queue.name, attributes: queue.attributes, createdAt: queue.createdAt, internal: queue.internal || undefined };
      if (Object.keys(queue.tags).length > 0) yield { t: 'tags', q: queue.name, tags: queue.tags };
      for (const [key, entry] of queue.dedupe) yield { t: 'dedupe', q: queue.name, key, id: entry.id, seq: entry.seq, until: entry.until };
      for (const m of queue.messages.values()) yield { t: 'send', q: queue.name, m: storedOf(m) };
    }
  }

  private apply(record: SqsRecord, now: number): void {
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

  private commit(record: SqsRecord, now: number): void {
    // Serialise first: apply() adds index fields to the message object it is given.
    this.sink.appendLazy(record);
    this.commits++;
    this.apply(record, now);
  }

  /** Resolves once every change made so far is on disk. */
  durable(): Promise<void> {
    return this.sink.flush();
  }

  // ---- queues -----------------------------------------------------------------

  urlOf(name: string): string {
    return `${this.options.baseUrl}/${this.options.accountId}/${name}`;
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`;
  }

  /** Create the queue, or update its attributes when it exists (idempotent). */
  createQueue(
    name: string,
    attributes: QueueAttributes = {},
    options: { internal?: boolean; failIfDifferent?: boolean; tags?: QueueTags } = {},
  ): QueueInfo {
    checkQueueName(name);
    const now = this.clock.now();
    const existing = this.queues.get(name);
    if (existing && options.failIfDifferent) {
      for (const [key, value] of Object.entries(attributes)) {
        if (value !== undefined && existing.attributes[key] !== undefined && existing.attributes[key] !== String(value)) {
          throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}.`);
        }
      }
    }
    const normalized: Record<string, string> = {};
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) normalized[key] = String(value);
    if (name.endsWith('.fifo') && normalized['FifoQueue'] === undefined && !existing) normalized['FifoQueue'] = 'true';
    // Validate before logging: constructing the settings throws on bad values.
    new Queue(name, '', normalized, now, false, this.clock);
    this.commit({ t: 'queue', name, attributes: normalized, createdAt: existing?.createdAt ?? now, internal: options.internal || undefined }, now);
    // Tags given at CreateQueue apply to a queue it creates, not to one that already exists.
    if (!existing && options.tags && Object.keys(options.tags).length > 0) this.commit({ t: 'tags', q: name, tags: options.tags }, now);
    return this.info(this.queues.get(name)!);
  }

  /**
   * DeleteQueue: the queue goes, with its messages, at once (AWS takes up to 60 s and then
   * refuses the name for another 60 s; locally the name can be used again at once).
   * Internal queues are not the client's: they do not exist for it.
   */
  deleteQueue(queueRef: string): void {
    const queue = this.get(queueRef);
    if (queue.internal) throw queueDoesNotExist(queueRef);
    this.commit({ t: 'drop', q: queue.name }, this.clock.now());
  }

  tagQueue(queueRef: string, tags: QueueTags): void {
    const queue = this.get(queueRef);
    this.commit({ t: 'tags', q: queue.name, tags: withTags(queue.tags, tags) }, this.clock.now());
  }

  untagQueue(queueRef: string, keys: readonly string[]): void {
    const queue = this.get(queueRef);
    this.commit({ t: 'tags', q: queue.name, tags: withoutTags(queue.tags, keys) }, this.clock.now());
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

  info(queue: Queue): QueueInfo {
    return { name: queue.name, url: this.urlOf(queue.name), arn: queue.arn, fifo: queue.fifo };
  }

  list(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((q) => !q.internal && q.name.startsWith(prefix));
  }

  /**
   * Drop messages older than the queue's retention period. Receiving drops them as it meets
   * them; this is for views of the whole queue (counts, peek, move) of queues nobody receives
   * from, such as DLQs.
   */
  private dropExpired(queue: Queue, now: number): void {
    const oldest = now - queue.settings.retentionSeconds * 1000;
    for (const m of queue.messages.values()) {
      if (m.sent < oldest) this.commit({ t: 'del', q: queue.name, id: m.id }, now);
    }
  }

  /** GetQueueAttributes: the stored attributes plus the computed ones. */
  attributesOf(queue: Queue): Record<string, string> {
    const now = this.clock.now();
    this.dropExpired(queue, now);
    const counts = queue.counts(now);
    const s = queue.settings;
    const attributes: Record<string, string> = {
      ...queue.attributes,
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModified / 1000)),
      VisibilityTimeout: String(s.visibilityTimeoutSeconds),
      MaximumMessageSize: String(s.maximumMessageSize),
      MessageRetentionPeriod: String(s.retentionSeconds),
      DelaySeconds: String(s.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(s.receiveWaitSeconds),
      SqsManagedSseEnabled: queue.attributes['SqsManagedSseEnabled'] ?? 'false',
    };
    if (queue.fifo) {
      attributes['FifoQueue'] = 'true';
      attributes['ContentBasedDeduplication'] = String(s.contentBasedDeduplication);
      attributes['DeduplicationScope'] = queue.attributes['DeduplicationScope'] ?? 'queue';
      attributes['FifoThroughputLimit'] = queue.attributes['FifoThroughputLimit'] ?? 'perQueue';
    }
    return attributes;
  }

  // ---- sending ------------------------------------------------------------------

  /**
   * Enqueue a message. The change is applied at once; await `durable()` (or use
   * sendMessage) before acknowledging it to a client.
   */
  send(queueRef: string | Queue, input: SendMessageInput, via: string, lineage?: MessageLineage): SendMessageResult {
    const queue = typeof queueRef === 'string' ? this.get(queueRef) : queueRef;
    const now = this.clock.now();
    const body = input.MessageBody;
    if (typeof body !== 'string' || body.length === 0) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody (a non-empty string).');
    }
    if (INVALID_BODY_CHAR.test(body)) {
      throw new SqsError('InvalidMessageContents', 'Invalid characters found. Valid values: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.');
    }
    const attrs = storedAttributes(input.MessageAttributes, 'MessageAttributes');
    const sysAttrs = storedAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes');
    if (sysAttrs) {
      for (const name of Object.keys(sysAttrs)) {
        if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute ${name} is not supported; only AWSTraceHeader may be set.`);
      }
    }
    const size = Buffer.byteLength(body, 'utf8') + attributesSize(attrs);
    if (size > queue.settings.maximumMessageSize) {
      throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.maximumMessageSize} bytes (this one has ${size}).`);
    }
    let delay = queue.settings.delaySeconds;
    // FIFO queues take a delay only as the queue's attribute; SQS accepts (and ignores) an
    // explicit 0, so the queue's delay still applies.
    if (input.DelaySeconds !== undefined && !(queue.fifo && input.DelaySeconds === 0)) {
      if (queue.fifo) {
        throw invalidParameter(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
      }
      if (!Number.isInteger(input.DelaySeconds) || input.DelaySeconds < 0 || input.DelaySeconds > 900) {
        throw invalidParameter(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: must be an integer from 0 to 900.`);
      }
      delay = input.DelaySeconds;
    }
    const md5 = md5Hex(body);
    const md5Attrs = md5OfAttributes(input.MessageAttributes);
    const md5SysAttrs = md5OfAttributes(input.MessageSystemAttributes);

    let group: string | undefined;
    let dedupeId: string | undefined;
    let seq: string | undefined;
    if (queue.fifo) {
      group = input.MessageGroupId;
      if (!group) throw new SqsError('MissingParameter', `The request must contain the parameter MessageGroupId (queue ${queue.name} is a FIFO queue).`);
      checkFifoToken(group, 'MessageGroupId');
      dedupeId = input.MessageDeduplicationId;
      if (dedupeId === undefined) {
        if (!queue.settings.contentBasedDeduplication) {
          throw invalidParameter(`The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly (queue ${queue.name}).`);
        }
        dedupeId = createHash('sha256').update(body, 'utf8').digest('hex');
      } else {
        checkFifoToken(dedupeId, 'MessageDeduplicationId');
      }
      queue.pruneDedupe(now);
      const previous = queue.dedupe.get(dedupeId);
      if (previous && previous.until > now) {
        // A duplicate within the 5-minute window: accepted, but not enqueued again.
        return { MessageId: previous.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: md5Attrs, MD5OfMessageSystemAttributes: md5SysAttrs, SequenceNumber: previous.seq };
      }
      seq = String(SEQUENCE_BASE + queue.sequence + 1n);
    } else if (input.MessageGroupId !== undefined) {
      group = input.MessageGroupId; // standard queues accept a group id (fair queues) and report it back
    }

    const m: StoredMessage = {
      id: randomUUID(),
      body,
      md5,
      ...(attrs && { attrs, md5Attrs }),
      ...(sysAttrs && { sysAttrs, md5SysAttrs }),
      sent: now,
      avail: now + delay * 1000,
      rc: 0,
      ...(group !== undefined && { group }),
      ...(dedupeId !== undefined && { dedupeId }),
      ...(seq !== undefined && { seq }),
      ...(lineage && { lineage }),
    };
    this.commit({ t: 'send', q: queue.name, m }, now);
    this.observer.enqueued?.(queue, m, via);
    queue.signal(now);
    return { MessageId: m.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: md5Attrs, MD5OfMessageSystemAttributes: md5SysAttrs, SequenceNumber: seq };
  }

  /** send() and wait until it is on disk. */
  async sendMessage(queue: string, input: SendMessageInput, via = 'send', lineage?: MessageLineage): Promise<SendMessageResult> {
    const result = this.send(queue, input, via, lineage);
    await this.durable();
    return result;
  }

  // ---- receiving ------------------------------------------------------------------

  receive(queueRef: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const queue = this.get(queueRef);
    const max = options.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: must be between 1 and 10, if provided.`);
    }
    const visibility = options.visibilityTimeout ?? queue.settings.visibilityTimeoutSeconds;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw invalidParameter(`Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: must be an integer from 0 to 43200.`);
    }
    const wait = options.waitTimeSeconds ?? queue.settings.receiveWaitSeconds;
    if (!(wait >= 0)) throw invalidParameter(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: must be >= 0.`);

    // What a receive changes (receive counts, dead-letter moves, expiries) is on disk before
    // it answers: a consumer told "receive count n" must find at least n after a crash, and a
    // message it saw moved to the DLQ must not be back. durable() joins the store's group
    // commit: concurrent receives (and sends, deletes) share one fsync.
    let changed = false;
    const take = (): ReceivedMessage[] => {
      const before = this.commits;
      const messages = this.takeNow(queue, max, visibility);
      if (this.commits !== before) changed = true;
      return messages;
    };
    const answer = (messages: ReceivedMessage[]): Promise<ReceivedMessage[]> =>
      changed ? this.durable().then(() => messages) : Promise.resolve(messages);
    const first = take();
    if (first.length > 0 || wait === 0 || options.signal?.aborted) return answer(first);
    return new Promise((resolve, reject) => {
      const finish = (messages: ReceivedMessage[]): void => {
        timer.cancel();
        queue.waiters.delete(attempt);
        options.signal?.removeEventListener('abort', onAbort);
        answer(messages).then(resolve, reject);
      };
      const attempt = (): void => {
        if (this.closed) return finish([]);
        if (!this.queues.has(queue.name) || queue !== this.queues.get(queue.name)) return finish([]);
        const got = take();
        if (got.length > 0) finish(got);
      };
      const onAbort = (): void => finish([]);
      const timer = this.clock.after(wait * 1000, () => finish([]));
      options.signal?.addEventListener('abort', onAbort);
      queue.waiters.add(attempt);
      queue.scheduleWake(this.clock.now());
    });
  }

  private takeNow(queue: Queue, max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.clock.now();
    const retentionMs = queue.settings.retentionSeconds * 1000;
    const redrive = queue.settings.redrive;
    const dlq = redrive ? this.find(redrive.deadLetterTargetArn) : undefined;
    const picked = queue.pick(now, max, (m) => {
      if (now - m.sent > retentionMs) {
        this.commit({ t: 'del', q: queue.name, id: m.id }, now);
        return 'skip';
      }
      if (redrive && dlq && m.rc >= redrive.maxReceiveCount) {
        this.moveToDeadLetter(queue, dlq, m, now);
        return 'skip';
      }
      return 'take';
    });
    const out: ReceivedMessage[] = [];
    for (const m of picked) {
      const avail = now + visibilitySeconds * 1000;
      this.commit({ t: 'recv', q: queue.name, id: m.id, rc: m.rc + 1, avail, first: m.first ?? now, h: newReceiptToken() }, now);
      this.observer.received?.(queue, m);
      out.push(this.view(queue, m));
    }
    if (out.length > 0 && visibilitySeconds === 0) queue.signal(now);
    return out;
  }

  private moveToDeadLetter(queue: Queue, dlq: Queue, m: LiveMessage, now: number): void {
    this.commit({ t: 'del', q: queue.name, id: m.id }, now);
    const { receipt: _receipt, ...stored } = storedOf(m);
    const moved: StoredMessage = { ...stored, avail: now + dlq.settings.delaySeconds * 1000, deadLetterSourceArn: queue.arn };
    this.commit({ t: 'send', q: dlq.name, m: moved }, now);
    this.observer.deadLettered?.(queue, dlq, moved);
    dlq.signal(now);
  }

  private view(queue: Queue, m: StoredMessage): ReceivedMessage {
    const attributes: Record<string, string> = {
      SenderId: this.options.accountId,
      SentTimestamp: String(m.sent),
      ApproximateReceiveCount: String(m.rc),
      ApproximateFirstReceiveTimestamp: String(m.first ?? m.sent),
    };
    if (m.group !== undefined) attributes['MessageGroupId'] = m.group;
    if (m.dedupeId !== undefined) attributes['MessageDeduplicationId'] = m.dedupeId;
    if (m.seq !== undefined) attributes['SequenceNumber'] = m.seq;
    const trace = m.sysAttrs?.['AWSTraceHeader']?.StringValue;
    if (trace !== undefined) attributes['AWSTraceHeader'] = trace;
    if (m.deadLetterSourceArn !== undefined) attributes['DeadLetterQueueSourceArn'] = m.deadLetterSourceArn;
    return {
      MessageId: m.id,
      ReceiptHandle: receiptHandleOf(queue.name, m),
      Body: m.body,
      MD5OfBody: m.md5,
      ...(m.attrs && { MessageAttributes: liveAttributes(m.attrs), MD5OfMessageAttributes: m.md5Attrs }),
      Attributes: attributes,
    };
  }

  // ---- after receiving ---------------------------------------------------------

  /**
   * DeleteMessage. Only the handle of the message's latest receive deletes it; what an older
   * handle gets depends on the queue type (see receipt-handle.ts).
   */
  deleteMessage(queueRef: string, receiptHandle: string): void {
    const queue = this.get(queueRef);
    const handle = handleFor(queue.name, receiptHandle);
    const m = queue.messages.get(handle.id);
    if (!m) return; // already deleted: SQS answers success
    const now = this.clock.now();
    const current = isCurrent(handle, m);
    // FIFO: the handle expired with its visibility timeout (and the message may be another
    // consumer's by now): refused, and the message stays.
    if (queue.fifo && (!current || m.avail <= now)) throw receiptHandleExpired(receiptHandle);
    // Standard: an older handle succeeds, but does not delete the message received since.
    if (!current) return;
    this.commit({ t: 'del', q: queue.name, id: m.id }, now);
    this.observer.deleted?.(queue, m);
    if (queue.fifo) queue.signal(now); // the group behind it may be free now
  }

  changeVisibility(queueRef: string, receiptHandle: string, seconds: number): void {
    const queue = this.get(queueRef);
    const handle = handleFor(queue.name, receiptHandle);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      throw invalidParameter(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: must be an integer from 0 to 43200.`);
    }
    const now = this.clock.now();
    const m = queue.messages.get(handle.id);
    // A handle of an earlier receive must not move the lease of the consumer holding it now.
    if (m && !isCurrent(handle, m) && m.rc > 0) throw notAvailableForVisibilityChange(receiptHandle);
    if (!m || m.avail <= now || m.rc === 0) {
      throw new SqsError('MessageNotInflight', `Message ${handle.id} is not in flight on queue ${queue.name} (it was deleted, or its visibility timeout ran out).`);
    }
    const leaseStart = m.leaseStart ?? now;
    if (Math.floor((now - leaseStart) / 1000) * 1000 + seconds * 1000 > MAX_VISIBILITY_MS) {
      throw invalidParameter(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds] (it was received ${Math.round((now - leaseStart) / 1000)} s ago).`);
    }
    this.commit({ t: 'vis', q: queue.name, id: m.id, avail: now + seconds * 1000 }, now);
    if (seconds === 0) queue.signal(now);
    else queue.scheduleWake(now);
  }

  purge(queueRef: string): void {
    const queue = this.get(queueRef);
    this.commit({ t: 'purge', q: queue.name }, this.clock.now());
  }

  /**
   * StartMessageMoveTask: move every message of `sourceRef` (a dead-letter queue) to
   * `destinationRef`, or back to the queue each came from. Receive counts start again at 0.
   */
  moveMessages(sourceRef: string, destinationRef?: string): { moved: number } {
    const source = this.get(sourceRef);
    const destination = destinationRef ? this.get(destinationRef) : undefined;
    const now = this.clock.now();
    this.dropExpired(source, now);
    let moved = 0;
    for (const m of [...source.messages.values()]) {
      const target = destination ?? (m.deadLetterSourceArn ? this.find(m.deadLetterSourceArn) : undefined);
      if (!target) continue;
      this.commit({ t: 'del', q: source.name, id: m.id }, now);
      const { deadLetterSourceArn: _dropped, first: _first, receipt: _receipt, ...rest } = storedOf(m);
      const back: StoredMessage = { ...rest, rc: 0, avail: now + target.settings.delaySeconds * 1000 };
      this.commit({ t: 'send', q: target.name, m: back }, now);
      this.observer.enqueued?.(target, back, 'move-task');
      target.signal(now);
      moved++;
    }
    return { moved };
  }

  /** Messages of a queue without receiving them (for `busline dlq show`). */
  peek(queueRef: string, limit = 100): ReceivedMessage[] {
    const queue = this.get(queueRef);
    this.dropExpired(queue, this.clock.now());
    const out: ReceivedMessage[] = [];
    for (const m of queue.messages.values()) {
      if (out.length >= limit) break;
      out.push({ ...this.view(queue, m), ReceiptHandle: '' });
    }
    return out;
  }

  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) {
      queue.stopTimers();
      for (const waiter of [...queue.waiters]) waiter();
    }
  }
}

/** Name from a queue name, URL (…/<account>/<name>) or ARN (arn:aws:sqs:<region>:<account>:<name>). */
export function queueNameOf(ref: string): string {
  if (ref.startsWith('arn:')) return ref.slice(ref.lastIndexOf(':') + 1);
  if (ref.includes('/')) return ref.slice(ref.lastIndexOf('/') + 1);
  return ref;
}

function storedOf(m: StoredMessage): StoredMessage {
  const { state: _state, stamp: _stamp, leaseStart: _leaseStart, ...stored } = m as LiveMessage;
  return stored;
}

function checkFifoToken(value: string, parameter: string): void {
  if (!/^[\x21-\x7E]{1,128}$/.test(value)) {
    throw invalidParameter(`Value ${value} for parameter ${parameter} is invalid. Reason: 1–128 printable ASCII characters without spaces.`);
  }
}

function storedAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  parameter: string,
): Record<string, StoredAttribute> | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  if (names.length > 10) throw invalidParameter(`Number of ${parameter} (${names.length}) exceeds the allowed maximum of 10.`);
  const out: Record<string, StoredAttribute> = {};
  for (const name of names) {
    const value = attributes[name]!;
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidParameter(`Message attribute name "${name}" is invalid: up to 256 of A-Z a-z 0-9 _ - ., not starting with AWS. or Amazon., no leading, trailing or double period.`);
    }
    const type = value?.DataType;
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type "${String(type)}"; use String, Number or Binary (optionally with a .custom suffix).`);
    }
    if (type.startsWith('Binary')) {
      if (!value.BinaryValue) throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: type, BinaryValue: Buffer.from(value.BinaryValue).toString('base64') };
    } else {
      if (typeof value.StringValue !== 'string' || value.StringValue.length === 0) {
        throw invalidParameter(`The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (type.startsWith('Number') && !Number.isFinite(Number(value.StringValue))) {
        throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number: "${value.StringValue}".`);
      }
      out[name] = { DataType: type, StringValue: value.StringValue };
    }
  }
  return out;
}

function attributesSize(attrs: Readonly<Record<string, StoredAttribute>> | undefined): number {
  if (!attrs) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attrs)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : Buffer.from(value.BinaryValue ?? '', 'base64').length;
  }
  return size;
}

function liveAttributes(attrs: Readonly<Record<string, StoredAttribute>>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attrs)) {
    out[name] = value.BinaryValue !== undefined
      ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') }
      : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
  }
  return out;
}
