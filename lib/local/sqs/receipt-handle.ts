/**
 * Receipt handles: what ReceiveMessage hands out, and what a handle still allows.
 *
 * A handle names one receive of one message: the queue, the message id, the receive count and
 * a token drawn at that receive (the count alone repeats: a receive lost in a crash, or a
 * message moved back from its DLQ with a fresh count, would hand out an old handle again).
 * The message keeps the token of its latest receive (`receipt`, logged with the `recv`
 * record), so a handle is *current* when its count and token are the message's, and
 * *superseded* once the message has been received again.
 *
 * What AWS does with a handle that is not current (SQS API reference, DeleteMessage and
 * ChangeMessageVisibility; knowledge-center article "How do I troubleshoot ReceiptHandleIsInvalid
 * and InvalidParameterValue errors when I use the Amazon SQS DeleteMessage API call?"):
 *
 * | queue    | call                    | superseded handle                 | current handle, lease over |
 * |----------|-------------------------|-----------------------------------|----------------------------|
 * | standard | DeleteMessage           | succeeds, message is not deleted  | deletes                    |
 * | FIFO     | DeleteMessage           | InvalidParameterValue (expired)   | InvalidParameterValue (expired) |
 * | both     | ChangeMessageVisibility | InvalidParameterValue (not available for visibility timeout change) | MessageNotInflight |
 *
 * A handle that does not parse, or names another queue, is ReceiptHandleIsInvalid.
 */
import { randomBytes } from 'node:crypto';
import { SqsError, invalidParameter } from './errors.ts';
import type { StoredMessage } from './queue.ts';

export interface ReceiptHandle {
  readonly queue: string;
  readonly id: string;
  readonly rc: number;
  /** The receive's token ('' in handles of engines before tokens, and for messages received by them). */
  readonly token: string;
}

/** A fresh token for one receive (logged in its `recv` record). */
export function newReceiptToken(): string {
  return randomBytes(6).toString('base64url');
}

/** The handle of the message's latest receive. */
export function receiptHandleOf(queue: string, m: StoredMessage): string {
  return Buffer.from(`${queue}\n${m.id}\n${m.rc}\n${m.receipt ?? ''}`, 'utf8').toString('base64url');
}

export function parseReceiptHandle(handle: string): ReceiptHandle | undefined {
  if (typeof handle !== 'string' || handle.length === 0) return undefined;
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  // Three parts: a handle from before receive tokens (its message has no token either).
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const rc = Number(parts[2]);
  if (!Number.isInteger(rc) || rc < 1) return undefined;
  return { queue: parts[0]!, id: parts[1]!, rc, token: parts[3] ?? '' };
}

/** Parse and check the handle belongs to `queue`; throws ReceiptHandleIsInvalid. */
export function handleFor(queue: string, receiptHandle: string): ReceiptHandle {
  const handle = parseReceiptHandle(receiptHandle);
  if (!handle || handle.queue !== queue) {
    throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle for queue ${queue}.`);
  }
  return handle;
}

/** True when the handle is from the message's latest receive. */
export function isCurrent(handle: ReceiptHandle, m: StoredMessage): boolean {
  return handle.rc === m.rc && handle.token === (m.receipt ?? '');
}

/** FIFO: a handle expires with its visibility timeout, and when the message is received again. */
export function receiptHandleExpired(receiptHandle: string): SqsError {
  return invalidParameter(`Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
}

/** ChangeMessageVisibility with a handle of an earlier receive: the message is someone else's now. */
export function notAvailableForVisibilityChange(receiptHandle: string): SqsError {
  return invalidParameter(`Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
}
