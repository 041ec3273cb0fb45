/**
 * Queue declarations: CreateQueue / SetQueueAttributes (one idempotent call), DeleteQueue,
 * tags, PurgeQueue, and the attributes GetQueueAttributes reports (stored plus computed).
 */
import { SqsError, queueDoesNotExist } from './errors.ts';
import { checkQueueName } from './queue-name.ts';
import { withTags, withoutTags, type QueueTags } from './queue-tags.ts';
import { Queue } from './queue.ts';
import type { SqsState } from './sqs-state.ts';
import type { QueueAttributes, QueueInfo } from './types.ts';

/** Create the queue, or update its attributes when it exists (idempotent). */
export function createQueue(
  state: SqsState,
  name: string,
  attributes: QueueAttributes = {},
  options: { internal?: boolean; failIfDifferent?: boolean; tags?: QueueTags } = {},
): QueueInfo {
  checkQueueName(name);
  const now = state.clock.now();
  const existing = state.queues.get(name);
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

export function purgeQueue(state: SqsState, queueRef: string): void {
  const queue = state.get(queueRef);
  state.commit({ t: 'purge', q: queue.name }, state.clock.now());
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
