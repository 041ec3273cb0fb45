/**
 * Compact rendering of a function's log line for the terminal (`busline dev`'s log stream and
 * the lineage trees of `busline events`): CloudWatch EMF metric lines are dropped (they are
 * metrics, not logs), structured JSON lines become `LEVEL message key=value …` with every field
 * of the line, anything else is shown as written.
 *
 * Fields left out, because the line's place on screen already says them:
 *
 * | field                                   | why                                                       |
 * |-----------------------------------------|-----------------------------------------------------------|
 * | `level`, `message`                      | they are the head of the rendered line                     |
 * | `time`, `timestamp`                     | the tree and the terminal show when                       |
 * | `flow`, `subscription`                  | every runtime line has them; the view names the function   |
 * | `topic`, `eventId`, `correlationId`     | the runtime adds them per record; the line sits under (or is streamed for) that record. Given `shown`, one whose value differs from the shown one is kept (a batch's line about another event) |
 * | `attempt` when 1                        | the ordinary case; a retry (`attempt=2`…) is kept          |
 *
 * Values: strings bare, quoted (JSON) when they hold spaces, quotes, `=` or nothing; numbers,
 * booleans and null as written; an error the runtime logged (`{ name, message }`) as
 * `"Name: message"`; other objects and arrays as compact JSON. A value longer than
 * MAX_VALUE_CHARS is cut there and ends in `…`.
 */

/** What the surrounding view already shows about the record a line belongs to. */
export interface ShownContext {
  readonly topic?: string;
  readonly eventId?: string;
  readonly correlationId?: string;
}

const ALWAYS_OMITTED = new Set(['level', 'message', 'time', 'timestamp', 'flow', 'subscription']);
const RECORD_FIELDS = new Set<string>(['topic', 'eventId', 'correlationId']);

/** Longest value shown, in characters (the line stays readable in a terminal; the journal keeps the whole line). */
export const MAX_VALUE_CHARS = 80;

export function renderLogLine(text: string, shown?: ShownContext): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return text;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text;
  const line = parsed as Record<string, unknown>;
  if ('_aws' in line) return undefined;
  if (typeof line.message !== 'string') return text;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(line)) {
    if (value === undefined || ALWAYS_OMITTED.has(key)) continue;
    if (RECORD_FIELDS.has(key) && (shown === undefined || shown[key as keyof ShownContext] === value)) continue;
    if (key === 'attempt' && value === 1) continue;
    fields.push(`${key}=${renderValue(value)}`);
  }
  const level = typeof line.level === 'string' ? line.level.toUpperCase() : 'INFO';
  return `${level} ${line.message}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return renderString(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (isLoggedError(value)) return renderString(`${value.name}: ${value.message}`);
  return cut(JSON.stringify(value));
}

function renderString(value: string): string {
  const text = cut(value);
  return text === '' || /[\s"'=\\]/.test(text) ? JSON.stringify(text) : text;
}

function cut(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** An Error as the runtime's logger writes one: `{ name, message }` (and maybe a stack). */
function isLoggedError(value: object): value is { name: string; message: string } {
  const keys = Object.keys(value);
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.message === 'string'
    && keys.every((k) => k === 'name' || k === 'message' || k === 'stack');
}
