/**
 * Dedupe keys taken from the event's data (`<subscription>#<value at keyPath>`, for a
 * subscription whose dedupe names a keyPath), and dedupeKeyFor, the key function of any dedupe
 * config. Apart from dedupe-key.ts so that a function bundle whose subscription keys on the
 * event id carries none of this (lib/constructs/bundler.ts featureImports).
 */
import { bounded, checkSubscription, DedupeKeyError, eventIdKey, type DedupeKeyFn } from './dedupe-key.ts';

const PATH_SEGMENT = /^[^.\s]+$/;

/** Builds the key function for a subscription, checking `keyPath` once, at cold start. */
export function dedupeKeyFor(subscription: string, keyPath?: string): DedupeKeyFn {
  return keyPath === undefined ? eventIdKey(subscription) : keyPathKey(subscription, keyPath);
}

/** The key function taking the key from `keyPath` in the event's data, checked now. */
function keyPathKey(subscription: string, keyPath: string): DedupeKeyFn {
  checkSubscription(subscription);
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
