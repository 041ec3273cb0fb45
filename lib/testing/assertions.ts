/**
 * Assertions on a flow under test, for any runner: plain functions that return what they found
 * and throw node's AssertionError otherwise. The message says what was expected, lists what
 * there was instead, and ends with the lineage of the events involved (the tree `busline
 * events` prints), so a failing test shows what the flow did.
 */
import { AssertionError } from 'node:assert';
import { isDeepStrictEqual, inspect } from 'node:util';
import type { DeadLetter } from './dead-letters.ts';
import type { EventLineage } from './lineage.ts';
import { flowOf, type Delivery, type FlowTest, type TestEvent } from './test-flow.ts';

/** The part of a flow the assertions read. */
export type AssertableFlow = Pick<FlowTest<object>, 'published' | 'deliveries' | 'deadLettered' | 'lineage'>;

/** What a delivery is expected to be; each given field must match. */
export interface ExpectedDelivery {
  /** Matched as a subset: every given field must equal the delivery's (arrays element by element). */
  readonly data?: unknown;
  readonly outcome?: Delivery['outcome'];
  readonly attempts?: number;
}

/** What a dead letter is expected to be; each given field must match. */
export interface ExpectedDeadLetter {
  /** Matched as a subset, as for deliveries. */
  readonly data?: unknown;
  /** The reason, whole (a string) or by pattern. */
  readonly reason?: string | RegExp;
  readonly attempts?: number;
}

/** An event of `topic` (whose data contains `data`, when given) was published; returns the first such event. */
export function assertPublished(flow: AssertableFlow, topic: string, data?: unknown): EventLineage {
  const candidates = flow.published(topic);
  const found = candidates.find((e) => data === undefined || contains(e.data, data));
  if (found) return found;
  throw failure(flow, undefined, `expected an event of topic ${topic}${data === undefined ? '' : ` with data containing ${show(data)}`} to have been published`,
    candidates.length ? `published ${topic} events:\n${candidates.map((e) => `  ${show(e.data)}`).join('\n')}` : `no ${topic} event was published`, candidates.map((e) => e.data), data);
}

/** No event of `topic` (with data containing `data`, when given) was published. */
export function assertNotPublished(flow: AssertableFlow, topic: string, data?: unknown): void {
  const found = flow.published(topic).find((e) => data === undefined || contains(e.data, data));
  if (!found) return;
  throw failure(flow, found.id, `expected no event of topic ${topic}${data === undefined ? '' : ` with data containing ${show(data)}`} to have been published`, `published: ${show(found.data)}`, found.data, data);
}

/** An event was delivered to `subscription` as `expected`; returns the first such delivery. */
export function assertDelivered(flow: AssertableFlow, subscription: string, expected: ExpectedDelivery = {}): Delivery {
  const candidates = flow.deliveries(subscription);
  const found = candidates.find((d) => (expected.data === undefined || contains(d.data, expected.data))
    && (expected.outcome === undefined || d.outcome === expected.outcome) && (expected.attempts === undefined || d.attempts === expected.attempts));
  if (found) return found;
  throw failure(flow, undefined, `expected a delivery to ${subscription} matching ${show(expected)}`,
    candidates.length ? `deliveries to ${subscription}:\n${candidates.map((d) => `  ${d.outcome} after ${d.attempts} attempt(s): ${show(d.data)}`).join('\n')}` : `nothing was delivered to ${subscription}`,
    candidates.map(({ data, outcome, attempts }) => ({ data, outcome, attempts })), expected);
}

/** A message is on `subscription`'s DLQ as `expected`; returns the first such dead letter. */
export function assertDeadLettered(flow: AssertableFlow, subscription: string, expected: ExpectedDeadLetter = {}): DeadLetter {
  const candidates = flow.deadLettered(subscription);
  const found = candidates.find((d) => (expected.data === undefined || contains(d.data, expected.data))
    && (expected.attempts === undefined || d.attempts === expected.attempts)
    && (expected.reason === undefined || (typeof expected.reason === 'string' ? d.reason === expected.reason : expected.reason.test(d.reason))));
  if (found) return found;
  throw failure(flow, undefined, `expected a message on the DLQ of ${subscription} matching ${show(expected)}`,
    candidates.length ? `on the DLQ of ${subscription}:\n${candidates.map((d) => `  after ${d.attempts} attempt(s), ${d.reason}: ${show(d.data)}`).join('\n')}` : `the DLQ of ${subscription} is empty`,
    candidates.map(({ data, reason, attempts }) => ({ data, reason, attempts })), expected);
}

/**
 * The event reached `subscription` more than once, and the runtime handled it once: every copy
 * but one was skipped as a duplicate. `flow` may be left out for an event testFlow's publish returned.
 */
export function assertDeduplicated(event: TestEvent, subscription: string, flow: AssertableFlow | undefined = flowOf(event)): void {
  if (!flow) throw new TypeError('assertDeduplicated: pass the flow, or an event returned by its publish()');
  const copies = flow.deliveries(subscription).filter((d) => d.id === event.id);
  const skipped = copies.filter((d) => d.deduplicated).length;
  if (copies.length >= 2 && skipped === copies.length - 1) return;
  throw failure(flow, event.id, `expected ${event.topic} ${event.id} to reach ${subscription} more than once and be handled once`,
    `${copies.length} deliver${copies.length === 1 ? 'y' : 'ies'}, ${skipped} skipped as duplicates`,
    { deliveries: copies.length, skipped }, { deliveries: '≥ 2', skipped: 'deliveries − 1' });
}

function failure(flow: AssertableFlow, eventId: string | undefined, expected: string, found: string, actual: unknown, wanted: unknown): AssertionError {
  const error = new AssertionError({
    message: `${expected}\n${found}\n\nLineage:\n${indent(flow.lineage(eventId))}`,
    actual, expected: wanted, operator: 'flow',
  });
  // A stack inside the assertion helpers says nothing; the test's own frame is below.
  Error.captureStackTrace?.(error, failure);
  return error;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Infinity, compact: true });
}

/** `actual` contains `expected`: objects by every given key, arrays element by element, the rest by value. */
export function contains(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  }
  return isDeepStrictEqual(actual, expected);
}
