/**
 * Queue names and queue types ("CreateQueue - Amazon Simple Queue Service", SQS API reference):
 * a name has up to 80 alphanumerics, hyphens and underscores; a FIFO queue's name ends with the
 * `.fifo` suffix, and a queue is FIFO only when the FifoQueue attribute says so ("If you don't
 * specify the FifoQueue attribute, Amazon SQS creates a standard queue"). So a `.fifo` name
 * without FifoQueue "true" is an invalid standard-queue name, and FifoQueue "true" on a name
 * without the suffix is refused too.
 *
 * FifoQueue, ContentBasedDeduplication, DeduplicationScope and FifoThroughputLimit "apply only
 * to FIFO (first-in-first-out) queues" (same page): a standard queue has no such attribute, and
 * SQS answers InvalidAttributeName when a request names one for it — "Unknown Attribute
 * FifoQueue." also for FifoQueue "false", which is why CloudFormation-style tools omit it
 * (AWS's text; the SQS API reference does not list it).
 */
import { SqsError, invalidParameter } from './errors.ts';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Attributes only FIFO queues have. */
export const FIFO_ONLY_ATTRIBUTES = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'] as const;

/** The name's syntax (the base name, without a `.fifo` suffix, is checked). */
export function checkQueueName(name: string): void {
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (!QUEUE_NAME.test(base)) {
    throw invalidParameter(`Can not create queue "${name}": a queue name has 1–80 characters (letters, digits, - and _), plus ".fifo" for a FIFO queue.`);
  }
}

/** CreateQueue over the wire: the name's suffix and the FifoQueue attribute must agree; a standard queue takes no FIFO-only attribute. */
export function checkQueueType(name: string, attributes: Readonly<Record<string, string | undefined>>): void {
  const fifoAttribute = attributes['FifoQueue'];
  if (fifoAttribute !== undefined && fifoAttribute !== 'true') throw unknownAttribute('FifoQueue');
  const fifo = fifoAttribute === 'true';
  if (fifo && !name.endsWith('.fifo')) {
    throw invalidParameter(`The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length: ${name}.`);
  }
  if (!fifo && name.endsWith('.fifo')) {
    throw invalidParameter(`Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue ${name} ends with .fifo but the FifoQueue attribute is not "true": set it to create a FIFO queue).`);
  }
  if (!fifo) checkNoFifoOnlyAttributes(Object.keys(attributes));
}

/** A standard queue's CreateQueue / SetQueueAttributes / GetQueueAttributes naming a FIFO-only attribute. */
export function checkNoFifoOnlyAttributes(names: readonly string[]): void {
  for (const name of FIFO_ONLY_ATTRIBUTES) if (names.includes(name)) throw unknownAttribute(name);
}

/** InvalidAttributeName, as SQS words it. */
export function unknownAttribute(name: string): SqsError {
  return new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
}
