/**
 * PutEvents intake: the request's limits, and each entry checked and turned into the
 * EventBridge event (with its JSON text) or into the error of its slot.
 */
import { randomUUID } from 'node:crypto';
import { isoSeconds } from '../iso-time.ts';
import { EventBridgeError } from './errors.ts';
import { busNameOf, type Bus } from './declarations.ts';
import type { BusEvent, PutEventsRequestEntry, PutEventsResultEntry } from './types.ts';

/** Entry size limit of a PutEvents request, all entries together (see AWS-FACTS: 1 MB since 2026-01-29). */
const MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * The request as a whole: 1–10 entries, and their sizes together under the limit (PutEvents API
 * reference: "the total entry size must be less than" the limit), so one entry over it fails the
 * call too. Counting characters first keeps the exact UTF-8 count off the common path.
 */
export function checkPutEventsRequest(entries: readonly PutEventsRequestEntry[]): void {
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
    throw new EventBridgeError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10 (got ${Array.isArray(entries) ? entries.length : 'none'}).`);
  }
  let chars = 0;
  for (const entry of entries) chars += entrySize(entry, (text) => text.length);
  if (chars * 3 <= MAX_ENTRY_BYTES) return;
  let bytes = 0;
  for (const entry of entries) bytes += entrySize(entry, Buffer.byteLength);
  if (bytes > MAX_ENTRY_BYTES) throw new EventBridgeError('ValidationException', `Total size of the entries in the request is over the limit: ${bytes} bytes, at most ${MAX_ENTRY_BYTES} (Source + DetailType + Detail + Resources, + 14 for Time).`);
}

/** An accepted entry: its bus, the event and the event's JSON text. */
export interface AcceptedEntry {
  readonly bus: Bus;
  readonly event: BusEvent;
  readonly eventText: string;
}

/** What every entry of an engine is taken with: its buses, account and region (the latter two also as JSON). */
export interface IntakeContext {
  readonly buses: ReadonlyMap<string, Bus>;
  readonly accountId: string;
  readonly region: string;
  /** accountId and region as JSON text: the same in every event's text, serialised once. */
  readonly accountJson: string;
  readonly regionJson: string;
}

export function intakeContext(buses: ReadonlyMap<string, Bus>, accountId: string, region: string): IntakeContext {
  return { buses, accountId, region, accountJson: JSON.stringify(accountId), regionJson: JSON.stringify(region) };
}

const REQUIRED_FIELDS = ['Source', 'DetailType', 'Detail'] as const;

/** One entry, checked: the event to route, or the error of its slot. */
export function takeEntry(entry: PutEventsRequestEntry, now: number, context: IntakeContext): AcceptedEntry | PutEventsResultEntry {
  if (entry === null || typeof entry !== 'object') return entryError('InvalidArgument', 'Each entry must be an object.');
  for (const field of REQUIRED_FIELDS) {
    if (typeof entry[field] !== 'string' || entry[field].length === 0) {
      return entryError('InvalidArgument', `Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    }
  }
  const mistyped = mistypedOptionalField(entry);
  if (mistyped) return entryError('InvalidArgument', `Parameter ${mistyped} is not valid. Reason: ${mistyped} must be ${mistyped === 'Resources' ? 'a list of strings' : 'a string'}.`);
  const source = entry.Source!;
  const detailType = entry.DetailType!;
  const detailText = entry.Detail!;
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch {
    return entryError('MalformedDetail', 'Detail is malformed: it is not valid JSON.');
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return entryError('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
  }
  const resources = entry.Resources ?? [];
  const busName = busNameOf(entry.EventBusName ?? 'default');
  const bus = context.buses.get(busName);
  if (!bus) return entryError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
  let time: string;
  if (entry.Time === undefined) time = isoSeconds(now);
  else {
    const t = entry.Time instanceof Date ? entry.Time.getTime() : Date.parse(String(entry.Time));
    if (Number.isNaN(t)) return entryError('InvalidArgument', `Parameter Time is not valid: ${String(entry.Time)}.`);
    time = isoSeconds(t);
  }
  const event: BusEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: context.accountId,
    time,
    region: context.region,
    resources,
    detail,
  };
  // The event's JSON is built around the Detail text as received (it was just parsed, so it
  // is valid JSON): serialising the parsed detail again is the largest cost on this path.
  const eventText =
    `{"version":"0","id":"${event.id}","detail-type":${JSON.stringify(detailType)},"source":${JSON.stringify(source)},` +
    `"account":${context.accountJson},"time":"${time}","region":${context.regionJson},` +
    `"resources":${resources.length === 0 ? '[]' : JSON.stringify(resources)},"detail":${compactDetail(detailText, detail)}}`;
  return { bus, event, eventText };
}

/**
 * The first optional member of the entry that is present but not of its type
 * (PutEventsRequestEntry, EventBridge API Reference: EventBusName and TraceHeader are strings,
 * Resources a list of strings), or undefined. A JSON null is the member left out.
 */
function mistypedOptionalField(entry: PutEventsRequestEntry): 'EventBusName' | 'Resources' | 'TraceHeader' | undefined {
  const { EventBusName: bus, Resources: resources, TraceHeader: trace } = entry as { EventBusName?: unknown; Resources?: unknown; TraceHeader?: unknown };
  if (bus != null && typeof bus !== 'string') return 'EventBusName';
  if (resources != null && !(Array.isArray(resources) && resources.every((r) => typeof r === 'string'))) return 'Resources';
  if (trace != null && typeof trace !== 'string') return 'TraceHeader';
  return undefined;
}

/**
 * Detail text fit to embed in a one-line record: as received, unless it spans lines (pretty
 * printed), in which case it is serialised again.
 */
function compactDetail(text: string, parsed: unknown): string {
  return text.includes('\n') || text.includes('\r') ? JSON.stringify(parsed) : text;
}

/** An entry's size as EventBridge counts it ("Calculating PutEvents event entry size"). */
function entrySize(entry: PutEventsRequestEntry, measure: (text: string) => number): number {
  if (entry === null || typeof entry !== 'object') return 0;
  let size = entry.Time !== undefined ? 14 : 0;
  if (typeof entry.Source === 'string') size += measure(entry.Source);
  if (typeof entry.DetailType === 'string') size += measure(entry.DetailType);
  if (typeof entry.Detail === 'string') size += measure(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) if (typeof r === 'string') size += measure(r);
  return size;
}

function entryError(code: string, message: string): PutEventsResultEntry {
  return { ErrorCode: code, ErrorMessage: message };
}
