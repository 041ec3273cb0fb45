/**
 * Dedupe keys: `<subscription>#<metadata.id>` by default (the producer-assigned id,
 * stable across producer retries), the EventBridge id for events without one, or
 * `<subscription>#<value at keyPath in data>` when the subscription names a key
 * (for example `userId`). The subscription prefix lets one table serve every
 * subscription of a flow: two subscriptions of the same event each run once.
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

const PATH_SEGMENT = /^[^.\s]+$/;

export type DedupeKeyFn = (source: DedupeKeySource) => string;

/** Builds the key function for a subscription, checking `keyPath` once, at cold start. */
export function dedupeKeyFor(subscription: string, keyPath?: string): DedupeKeyFn {
  if (typeof subscription !== 'string' || subscription.length === 0) {
    throw new TypeError(`dedupe: the subscription name is required to prefix dedupe keys, got ${JSON.stringify(subscription)}`);
  }
  if (keyPath === undefined) {
    return (source) => bounded(`${subscription}#${source.metadataId || source.eventBridgeId}`);
  }
  const segments = typeof keyPath === 'string' ? keyPath.split('.') : [];
  if (segments.length === 0 || !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new TypeError(
      `dedupe: keyPath must be a dot-separated path into the event's data, like "userId" or "user.id", got ${JSON.stringify(keyPath)}`,
    );
  }
  return (source) => {
    let value: unknown = source.data;
    for (const segment of segments) {
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
    if (typeof value !== 'string' || value.length === 0) {
      throw new DedupeKeyError(
        `dedupe: subscription "${subscription}" keys on data.${keyPath}, which this event has ` +
          `${value === undefined ? 'missing' : `as ${JSON.stringify(value)}`}, not a non-empty string or number: ` +
          `make the field required in the topic's schema, or change dedupe.keyPath`,
      );
    }
    return bounded(`${subscription}#${value}`);
  };
}

function bounded(key: string): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short keys (all real ones) need no byte count.
  if (key.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  const hash = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, key.indexOf('#') + 1)}sha256:${hash}`;
}
