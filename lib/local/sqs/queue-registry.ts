/**
 * Queue declarations: CreateQueue / SetQueueAttributes (one idempotent call), DeleteQueue,
 * tags, PurgeQueue, the attributes GetQueueAttributes reports (stored plus computed), and the
 * queues whose redrive policy names a queue (ListDeadLetterSourceQueues).
 */
import { SqsError, invalidParameter, queueDoesNotExist } from './errors.ts';
import { checkQueueName } from './queue-name.ts';
import { withTags, withoutTags, type QueueTags } from './queue-tags.ts';
import { Queue } from './queue.ts';
import type { SqsState } from './sqs-state.ts';
import type { QueueAttributes, QueueInfo } from './types.ts';

export interface CreateQueueOptions {
  /** An engine delivery buffer: not listed, not the client's. */
  readonly internal?: boolean;
  /** CreateQueue over the wire: an existing queue with other attribute values is QueueNameExists. */
  readonly failIfDifferent?: boolean;
  /** Over the wire: a RedrivePolicy must name an existing queue of the same type (see checkRedriveTarget). */
  readonly requireRedriveTarget?: boolean;
  readonly tags?: QueueTags;
}

/** Create the queue, or update its attributes when it exists (idempotent). */
export function createQueue(
  state: SqsState,
  name: string,
  attributes: QueueAttributes = {},
  options: CreateQueueOptions = {},
): QueueInfo {
  checkQueueName(name);
  const now = state.clock.now();
  const existing = state.queues.get(name);
  if (options.requireRedriveTarget) checkRedriveTarget(state, name, attributes['RedrivePolicy']);
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
  new Queue(name, '', normalized, now, false, state.clock);
  state.commit({ t: 'queue', name, attributes: normalized, createdAt: existing?.createdAt ?? now, internal: options.internal || undefined }, now);
  // Tags given at CreateQueue apply to a queue it creates, not to one that already exists.
  if (!existing && options.tags && Object.keys(options.tags).length > 0) state.commit({ t: 'tags', q: name, tags: options.tags }, now);
  return queueInfo(state, state.queues.get(name)!);
}

/**
 * DeleteQueue: the queue goes, with its messages, at once (AWS takes up to 60 s and then
 * refuses the name for another 60 s; locally the name can be used again at once).
 * Internal queues are not the client's: they do not exist for it.
 */
export function deleteQueue(state: SqsState, queueRef: string): void {
  const queue = state.get(queueRef);
  if (queue.internal) throw queueDoesNotExist(queueRef);
  state.commit({ t: 'drop', q: queue.name }, state.clock.now());
}

export function tagQueue(state: SqsState, queueRef: string, tags: QueueTags): void {
  const queue = state.get(queueRef);
  state.commit({ t: 'tags', q: queue.name, tags: withTags(queue.tags, tags) }, state.clock.now());
}

export function untagQueue(state: SqsState, queueRef: string, keys: readonly string[]): void {
  const queue = state.get(queueRef);
  state.commit({ t: 'tags', q: queue.name, tags: withoutTags(queue.tags, keys) }, state.clock.now());
}

/**
 * "Configure a dead-letter queue using the Amazon SQS console" (SQS developer guide): the
 * dead-letter queue must exist before a queue names it, and "the queue type must match the source
 * queue type—a FIFO queue can only use a FIFO DLQ, and a standard queue can only use a standard
 * DLQ". (The engine's own declarations are not checked: a template may declare the DLQ later.)
 */
function checkRedriveTarget(state: SqsState, name: string, policy: string | undefined): void {
  if (policy === undefined || policy === '') return;
  let target: unknown;
  try {
    target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
  } catch {
    return; // not JSON: the queue's settings refuse it with their own message
  }
  if (typeof target !== 'string') return;
  const dlq = state.find(target);
  if (!dlq || dlq.internal) throw invalidParameter(`Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
  if (dlq.fifo !== name.endsWith('.fifo')) {
    throw invalidParameter(`Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target must be a queue of the same type as the source queue (${dlq.fifo ? 'FIFO' : 'standard'} ${dlq.name} for a ${dlq.fifo ? 'standard' : 'FIFO'} queue).`);
  }
}

/**
 * PurgeQueue: the messages go at once. AWS takes up to 60 seconds and refuses another purge of
 * the queue within 60 seconds (PurgeQueueInProgress); locally a purge can follow another at once,
 * because test suites purge their queues between cases.
 */
export function purgeQueue(state: SqsState, queueRef: string): void {
  const queue = state.get(queueRef);
  state.commit({ t: 'purge', q: queue.name }, state.clock.now());
}

/** The client's queues whose redrive policy names `deadLetterQueue` (ListDeadLetterSourceQueues), in name order. */
export function deadLetterSourceQueues(state: SqsState, deadLetterQueue: Queue): Queue[] {
  return listQueues(state)
    .filter((q) => {
      const target = q.settings.redrive?.deadLetterTargetArn;
      return target !== undefined && state.find(target) === deadLetterQueue;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function queueInfo(state: SqsState, queue: Queue): QueueInfo {
  return { name: queue.name, url: state.urlOf(queue.name), arn: queue.arn, fifo: queue.fifo };
}

/** The client's queues (internal ones are not listed). */
export function listQueues(state: SqsState, prefix = ''): Queue[] {
  return [...state.queues.values()].filter((q) => !q.internal && q.name.startsWith(prefix));
}

/** GetQueueAttributes: the stored attributes plus the computed ones. */
export function queueAttributes(state: SqsState, queue: Queue): Record<string, string> {
  const now = state.clock.now();
  state.dropExpired(queue, now);
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
