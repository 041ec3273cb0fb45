/**
 * The chaos mode's EventBridge faults:
 *
 * - throttle: a PutEvents call fails as a whole with ThrottlingException (HTTP 400), which the
 *   AWS SDKs retry on their own;
 * - partial-failure: an entry of a PutEvents call fails in its slot, with a retryable ErrorCode
 *   (`InternalFailure` or `ThrottlingException`, "PutEventsResultEntry", EventBridge API
 *   reference) and FailedEntryCount counting it, while the others are accepted: the caller must
 *   send that entry again;
 * - duplicate (to a target): a rule's target gets a matched event twice (EventBridge delivers
 *   "at least once").
 *
 * PutEvents faults apply to calls over the wire (handlers, SDKs, the CLI); the engine's own
 * putEvents(), which test harnesses publish their input with, is not faulted.
 */
import { EventBridgeError } from '../eventbridge/errors.ts';
import type { PutEventsRequestEntry, PutEventsResult, PutEventsResultEntry } from '../eventbridge/types.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import { lineageFields } from '../sqs/queue.ts';
import type { Chaos, ChaosFaultEntry } from './chaos.ts';

/** The retryable per-entry codes a partial failure answers with. */
const ENTRY_ERRORS = [
  { ErrorCode: 'InternalFailure', ErrorMessage: 'The request processing has failed because of an unknown error, exception or failure (injected by the chaos mode).' },
  { ErrorCode: 'ThrottlingException', ErrorMessage: 'The request was denied due to request throttling (injected by the chaos mode).' },
] as const;

/**
 * PutEvents with the chaos mode's faults around `put` (the engine's PutEvents): throws a
 * ThrottlingException for a throttled call; fails the entries a partial failure strikes in
 * their slots and hands the rest to `put`.
 */
export async function putEventsWithFaults(
  chaos: Chaos,
  entries: readonly PutEventsRequestEntry[],
  put: (entries: readonly PutEventsRequestEntry[]) => Promise<PutEventsResult>,
): Promise<PutEventsResult> {
  if (!Array.isArray(entries) || entries.length === 0) return put(entries);
  const bus = busOf(entries[0]!);
  if (chaos.strikes('throttle', bus)) {
    for (const entry of entries) {
      chaos.record({ fault: 'throttle', bus: busOf(entry), errorCode: 'ThrottlingException', ...entryFields(entry), detail: `PutEvents of ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} refused as a whole` });
    }
    throw new EventBridgeError('ThrottlingException', 'Rate exceeded (injected by the chaos mode).');
  }
  const failed = new Map<number, PutEventsResultEntry>();
  entries.forEach((entry, i) => {
    if (!chaos.strikes('partial-failure', busOf(entry))) return;
    const error = ENTRY_ERRORS[chaos.draw('partial-failure', busOf(entry)) < 0.5 ? 0 : 1];
    failed.set(i, error);
    chaos.record({ fault: 'partial-failure', bus: busOf(entry), errorCode: error.ErrorCode, ...entryFields(entry), detail: `entry ${i + 1} of ${entries.length} failed in its slot with ${error.ErrorCode}` });
  });
  if (failed.size === 0) return put(entries);
  const rest = entries.filter((_, i) => !failed.has(i));
  const accepted = rest.length > 0 ? await put(rest) : { FailedEntryCount: 0, Entries: [] };
  let next = 0;
  const results = entries.map((_, i) => failed.get(i) ?? accepted.Entries[next++]!);
  return { FailedEntryCount: accepted.FailedEntryCount + failed.size, Entries: results };
}

/** Whether a matched event is delivered to this target twice; journals it when so. */
export function deliversTwice(chaos: Chaos, where: { readonly bus: string; readonly rule: string; readonly targetId: string }, matched: { readonly event: { readonly id: string }; readonly lineage: MessageLineage }): boolean {
  if (!chaos.strikes('duplicate', `${where.bus}/${where.rule}/${where.targetId}`)) return false;
  chaos.record({ fault: 'duplicate', bus: where.bus, rule: where.rule, targetId: where.targetId, ...lineageFields(matched.lineage), eventId: matched.event.id, detail: 'the target got the event twice' });
  return true;
}

function busOf(entry: PutEventsRequestEntry): string {
  const name = typeof entry?.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
  return name.slice(name.lastIndexOf('/') + 1);
}

/** What a refused entry says about itself: its topic and Busline envelope ids, when it has them. */
function entryFields(entry: PutEventsRequestEntry): Pick<ChaosFaultEntry, 'topic' | 'correlationId' | 'metadataId' | 'causationId'> {
  const topic = typeof entry?.DetailType === 'string' ? entry.DetailType : undefined;
  let metadata: Record<string, unknown> | undefined;
  try {
    const detail = JSON.parse(String(entry?.Detail)) as { metadata?: unknown };
    if (detail?.metadata !== null && typeof detail?.metadata === 'object') metadata = detail.metadata as Record<string, unknown>;
  } catch {
    // not JSON: PutEvents fails the entry on its own
  }
  const text = (key: string): string | undefined => (typeof metadata?.[key] === 'string' ? metadata[key] : undefined);
  const fields = { topic, correlationId: text('correlationId'), metadataId: text('id'), causationId: text('causationId') };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
