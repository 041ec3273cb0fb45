/**
 * SendMessage: the checks SQS makes on a message, its delay, and on FIFO queues its group,
 * deduplication id and sequence number; then the `send` record.
 */
import { randomUUID } from 'node:crypto';
import { SqsError, invalidParameter } from './errors.ts';
import { hexDigest } from './hex-digest.ts';
import { md5Hex, md5OfAttributes } from './md5.ts';
import { attributesSize, storedAttributes } from './message-attributes.ts';
import type { MessageLineage, Queue, StoredAttribute, StoredMessage } from './queue.ts';
import type { Building } from '../building.ts';
import type { SqsState } from './sqs-state.ts';
import type { SendMessageInput, SendMessageResult } from './types.ts';

// Characters SQS accepts in a body: #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF.
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;

/**
 * Enqueue a message. The change is applied at once; await `state.durable()` before
 * acknowledging it to a client.
 */
export function sendMessage(state: SqsState, queue: Queue, input: SendMessageInput, via: string, lineage?: MessageLineage): SendMessageResult {
  const now = state.clock.now();
  const body = input.MessageBody;
  if (typeof body !== 'string' || body.length === 0) {
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody (a non-empty string).');
  }
  if (INVALID_BODY_CHAR.test(body)) {
    throw new SqsError('InvalidMessageContents', 'Invalid characters found. Valid values: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.');
  }
  const attrs = storedAttributes(input.MessageAttributes, 'MessageAttributes');
  const sysAttrs = storedAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes');
  if (sysAttrs) checkSystemAttributes(sysAttrs);
  // The size of a message system attribute doesn't count towards the total size of a message.
  const size = Buffer.byteLength(body, 'utf8') + attributesSize(attrs);
  if (size > queue.settings.maximumMessageSize) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.maximumMessageSize} bytes (this one has ${size}).`);
  }
  const delay = delayOf(queue, input.DelaySeconds);
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
      dedupeId = hexDigest('sha256', body);
    } else {
      checkFifoToken(dedupeId, 'MessageDeduplicationId');
    }
    queue.pruneDedupe(now);
    const previous = queue.dedupe.get(queue.dedupeKey(group, dedupeId));
    if (previous && previous.until > now) {
      // A duplicate within the 5-minute window: accepted, but not enqueued again.
      return { MessageId: previous.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: md5Attrs, MD5OfMessageSystemAttributes: md5SysAttrs, SequenceNumber: previous.seq };
    }
    seq = String(SEQUENCE_BASE + queue.sequence + 1n);
  } else {
    if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(`Value ${input.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    }
    // Standard queues accept a group id (fair queues) and report it back.
    group = input.MessageGroupId;
    if (group !== undefined) checkFifoToken(group, 'MessageGroupId');
  }

  const id = randomUUID();
  const chaosDelayMs = state.faults?.sendDelayMs(queue, id, lineage) ?? 0;
  // Optional members set one by one rather than spread in (this runs for every message).
  const m: Building<StoredMessage> = { id, body, md5, sent: now, avail: now + delay * 1000 + chaosDelayMs, rc: 0 };
  if (attrs) {
    m.attrs = attrs;
    m.md5Attrs = md5Attrs;
  }
  if (sysAttrs) {
    m.sysAttrs = sysAttrs;
    m.md5SysAttrs = md5SysAttrs;
  }
  if (group !== undefined) m.group = group;
  if (dedupeId !== undefined) m.dedupeId = dedupeId;
  if (seq !== undefined) m.seq = seq;
  if (lineage) m.lineage = lineage;
  state.commit({ t: 'send', q: queue.name, m }, now);
  state.observer.enqueued?.(queue, m, via);
  queue.signal(now);
  return { MessageId: m.id, MD5OfMessageBody: md5, MD5OfMessageAttributes: md5Attrs, MD5OfMessageSystemAttributes: md5SysAttrs, SequenceNumber: seq };
}

/**
 * The message's delay in seconds: its own DelaySeconds, else the queue's. FIFO queues take a
 * delay only as the queue's attribute; SQS accepts (and ignores) an explicit 0, so the queue's
 * delay still applies.
 */
function delayOf(queue: Queue, requested: number | undefined): number {
  if (requested === undefined || (queue.fifo && requested === 0)) return queue.settings.delaySeconds;
  if (queue.fifo) {
    throw invalidParameter(`Value ${requested} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
  }
  if (!Number.isInteger(requested) || requested < 0 || requested > 900) {
    throw invalidParameter(`Value ${requested} for parameter DelaySeconds is invalid. Reason: must be an integer from 0 to 900.`);
  }
  return requested;
}

/**
 * MessageSystemAttributes: "Currently, the only supported message system attribute is
 * AWSTraceHeader. Its type must be String" (SendMessage, SQS API reference).
 */
function checkSystemAttributes(sysAttrs: Readonly<Record<string, StoredAttribute>>): void {
  for (const [name, value] of Object.entries(sysAttrs)) {
    if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute ${name} is not supported; only AWSTraceHeader may be set.`);
    if (value.DataType !== 'String') {
      throw invalidParameter(`Value ${value.DataType} for parameter DataType of message system attribute AWSTraceHeader is invalid. Reason: its type must be String.`);
    }
  }
}

function checkFifoToken(value: string, parameter: string): void {
  if (!/^[\x21-\x7E]{1,128}$/.test(value)) {
    throw invalidParameter(`Value ${value} for parameter ${parameter} is invalid. Reason: 1–128 printable ASCII characters without spaces.`);
  }
}
