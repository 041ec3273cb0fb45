/**
 * Queue names and queue types ("CreateQueue - Amazon Simple Queue Service", SQS API reference):
 * a name has up to 80 alphanumerics, hyphens and underscores; a FIFO queue's name ends with the
 * `.fifo` suffix, and a queue is FIFO only when the FifoQueue attribute says so ("If you don't
 * specify the FifoQueue attribute, Amazon SQS creates a standard queue"). So a `.fifo` name
 * without FifoQueue "true" is an invalid standard-queue name, and FifoQueue "true" on a name
 * without the suffix is refused too.
 */
import { invalidParameter } from './errors.ts';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The name's syntax (the base name, without a `.fifo` suffix, is checked). */
export function checkQueueName(name: string): void {
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (!QUEUE_NAME.test(base)) {
    throw invalidParameter(`Can not create queue "${name}": a queue name has 1–80 characters (letters, digits, - and _), plus ".fifo" for a FIFO queue.`);
  }
}

/** CreateQueue over the wire: the name's suffix and the FifoQueue attribute must agree. */
export function checkQueueType(name: string, attributes: Readonly<Record<string, string | undefined>>): void {
  const fifo = attributes['FifoQueue'] === 'true';
  if (fifo && !name.endsWith('.fifo')) {
    throw invalidParameter(`The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length: ${name}.`);
  }
  if (!fifo && name.endsWith('.fifo')) {
    throw invalidParameter(`Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue ${name} ends with .fifo but the FifoQueue attribute is not "true": set it to create a FIFO queue).`);
  }
}
