/**
 * ReceiveMessage: short and long polls, the `recv` records, dead-letter moves on the way
 * (redrive after maxReceiveCount receives), expiry, and the message as a client sees it.
 */
import { invalidParameter } from './errors.ts';
import { liveAttributes } from './message-attributes.ts';
import { newReceiptToken, receiptHandleOf } from './receipt-handle.ts';
import { storedOf, type SqsState } from './sqs-state.ts';
import type { LiveMessage, Queue, Reorder, StoredMessage } from './queue.ts';
import type { ReceiveOptions, ReceivedMessage } from './types.ts';

export function receiveMessages(state: SqsState, queueRef: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
  const queue = state.get(queueRef);
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
    const before = state.commits;
    const messages = takeNow(state, queue, max, visibility);
    if (state.commits !== before) changed = true;
    return messages;
  };
  const answer = (messages: ReceivedMessage[]): Promise<ReceivedMessage[]> =>
    changed ? state.durable().then(() => messages) : Promise.resolve(messages);
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
      if (state.closed) return finish([]);
      if (queue !== state.queues.get(queue.name)) return finish([]);
      const got = take();
      if (got.length > 0) finish(got);
    };
    const onAbort = (): void => finish([]);
    const timer = state.clock.after(wait * 1000, () => finish([]));
    options.signal?.addEventListener('abort', onAbort);
    queue.waiters.add(attempt);
    queue.scheduleWake(state.clock.now());
  });
}

function takeNow(state: SqsState, queue: Queue, max: number, visibilitySeconds: number): ReceivedMessage[] {
  const now = state.clock.now();
  const retentionMs = queue.settings.retentionSeconds * 1000;
  const redrive = queue.settings.redrive;
  const dlq = redrive ? state.find(redrive.deadLetterTargetArn) : undefined;
  const picked = queue.pick(now, max, (m) => {
    if (now - m.sent > retentionMs) {
      state.commit({ t: 'del', q: queue.name, id: m.id }, now);
      return 'skip';
    }
    if (redrive && dlq && m.rc >= redrive.maxReceiveCount) {
      moveToDeadLetter(state, queue, dlq, m, now);
      return 'skip';
    }
    return 'take';
  }, reorderOf(state, queue));
  const out: ReceivedMessage[] = [];
  for (const m of picked) {
    const avail = now + visibilitySeconds * 1000;
    state.commit({ t: 'recv', q: queue.name, id: m.id, rc: m.rc + 1, avail, first: m.first ?? now, h: newReceiptToken() }, now);
    state.observer.received?.(queue, m);
    out.push(messageView(state, queue, m));
  }
  if (out.length > 0 && visibilitySeconds === 0) queue.signal(now);
  return out;
}

/** The reorder fault of a standard queue, when the chaos mode injects faults. */
function reorderOf(state: SqsState, queue: Queue): Reorder | undefined {
  const faults = state.faults;
  if (!faults || queue.fifo) return undefined;
  return {
    passesOver: (m) => faults.passesOver(queue, m),
    overtaken: (m, by) => faults.overtaken(queue, m, by),
  };
}

function moveToDeadLetter(state: SqsState, queue: Queue, dlq: Queue, m: LiveMessage, now: number): void {
  state.commit({ t: 'del', q: queue.name, id: m.id }, now);
  const { receipt: _receipt, ...stored } = storedOf(m);
  const moved: StoredMessage = { ...stored, avail: now + dlq.settings.delaySeconds * 1000, deadLetterSourceArn: queue.arn };
  state.commit({ t: 'send', q: dlq.name, m: moved }, now);
  state.observer.deadLettered?.(queue, dlq, moved);
  dlq.signal(now);
}

/** The message as ReceiveMessage returns it, with every system attribute. */
export function messageView(state: SqsState, queue: Queue, m: StoredMessage): ReceivedMessage {
  const attributes: Record<string, string> = {
    SenderId: state.options.accountId,
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

/** Messages of a queue without receiving them (for `busline dlq show`). */
export function peekMessages(state: SqsState, queueRef: string, limit = 100): ReceivedMessage[] {
  const queue = state.get(queueRef);
  state.dropExpired(queue, state.clock.now());
  const out: ReceivedMessage[] = [];
  for (const m of queue.messages.values()) {
    if (out.length >= limit) break;
    out.push({ ...messageView(state, queue, m), ReceiptHandle: '' });
  }
  return out;
}
