/**
 * Queue tags (TagQueue, UntagQueue, ListQueueTags, and `tags` at CreateQueue). Tags have no
 * meaning to SQS ("Amazon SQS interprets tags as character strings"); the engine keeps them and
 * gives them back. They are persisted as a `tags` record holding the queue's whole tag map.
 *
 * Rules ("TagQueue - Amazon Simple Queue Service", SQS API reference): tags are case-sensitive;
 * a tag whose key already exists replaces it. `Tags` (TagQueue) and `TagKeys` (UntagQueue) are
 * required parameters.
 */
import { SqsError, invalidParameter } from './errors.ts';

export type QueueTags = Readonly<Record<string, string>>;

/** Checks a tag map as it comes off the wire (a map of string → string). */
export function tagsFromWire(value: unknown, parameter: string): Record<string, string> {
  if (value === undefined || value === null) throw new SqsError('MissingParameter', `The request must contain the parameter ${parameter}.`);
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${parameter} must be a map of tag keys to tag values.`);
  const out: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value as Record<string, unknown>)) {
    if (key.length === 0) throw invalidParameter('Tag keys must be between 1 and 128 characters in length.');
    if (typeof tagValue !== 'string') throw invalidParameter(`The value of tag ${key} must be a string.`);
    out[key] = tagValue;
  }
  return out;
}

/** Checks the TagKeys of UntagQueue. */
export function tagKeysFromWire(value: unknown): string[] {
  if (value === undefined || value === null) throw new SqsError('MissingParameter', 'The request must contain the parameter TagKeys.');
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string')) throw invalidParameter('TagKeys must be a list of strings.');
  return value as string[];
}

/** The tag map after TagQueue: new keys added, existing keys overwritten. */
export function withTags(current: QueueTags, added: QueueTags): Record<string, string> {
  return { ...current, ...added };
}

/** The tag map after UntagQueue: keys that are not there are ignored. */
export function withoutTags(current: QueueTags, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...current };
  for (const key of keys) delete out[key];
  return out;
}
