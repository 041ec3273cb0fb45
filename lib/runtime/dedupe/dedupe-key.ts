/**
 * Dedupe keys: `<subscription>#<metadata.id>` by default (the producer-assigned id,
 * stable across producer retries), the EventBridge id for events without one, or
 * `<subscription>#<value at keyPath in data>` when the subscription names a key
 * (for example `userId`; dedupe-key-path.ts, which also has dedupeKeyFor, choosing between
 * them). The subscription prefix lets one table serve every subscription of a flow: two
 * subscriptions of the same event each run once.
 */
import { createHash } from 'node:crypto';

/** The parts of an event a key can come from. */
export interface DedupeKeySource {
  readonly metadataId?: string | undefined;
  readonly eventBridgeId: string;
  readonly data: unknown;
}

/**
 * The key cannot be made (the keyPath is absent from `data`, or not a string or
 * number). Retrying cannot fix it, so the runtime treats it as non-retryable.
 */
export class DedupeKeyError extends Error {
  override readonly name = 'DedupeKeyError';
}

/** DynamoDB caps a partition key at 2,048 bytes; longer keys are stored as a hash. */
const MAX_KEY_BYTES = 1_024;

export type DedupeKeyFn = (source: DedupeKeySource) => string;

/** The default key function: `<subscription>#<metadata.id>`, else the EventBridge id. */
export function eventIdKey(subscription: string): DedupeKeyFn {
  checkSubscription(subscription);
  return (source) => bounded(`${subscription}#${source.metadataId || source.eventBridgeId}`);
}

/** The subscription prefixes every key: it must be a name. */
export function checkSubscription(subscription: string): void {
  if (typeof subscription !== 'string' || subscription.length === 0) {
    throw new TypeError(`dedupe: the subscription name is required to prefix dedupe keys, got ${JSON.stringify(subscription)}`);
  }
}

/** `key`, or when longer than MAX_KEY_BYTES its subscription prefix and a hash of it. */
export function bounded(key: string): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short keys (all real ones) need no byte count.
  if (key.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  const hash = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, key.indexOf('#') + 1)}sha256:${hash}`;
}
