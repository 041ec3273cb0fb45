/**
 * Structured JSON logs: one line per call, `{ level, time, message, ...fields }`, written to
 * stdout where Lambda ships it to CloudWatch Logs. Child loggers add fixed fields (subscription,
 * then topic/event id/correlation id/attempt per record) without re-serialising them per call.
 *
 * Hot path: the line is built as a string. The fixed fields are serialised once, on the
 * (child) logger's first line (never, for a logger that writes none, like most records'
 * child loggers: a record that succeeds logs at debug); each call adds only the level, the time
 * (formatted once per millisecond), the message and its own fields. The result is the same
 * JSON text `JSON.stringify({ level, time, message, ...fields, ...extra }, errorReplacer)`
 * gives; when a call's fields collide with fixed ones (or with level/time/message), where the
 * spread would reorder or override keys, the line is made exactly that way instead.
 */
import type { Logger } from './handler-types.ts';
import { maskValue, type PiiMask } from './pii-mask.ts';
import { writeStdout } from './stdout-write.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Where log lines and EMF metric lines go (one JSON document per call, no newline). */
export type LineSink = (line: string) => void;

/**
 * Lines written in the same turn of the event loop (a batch's summary and EMF lines, a burst of
 * failure lines) go out in one stdout write at the end of the turn, as a microtask: one system
 * call instead of one per line (stdout-write.ts). The order is kept; a process exiting in that turn still
 * writes them (the exit hook; stdout on a pipe or file is synchronous on Linux).
 */
let pendingLines: string | undefined;
let exitHooked = false;
function flushLines(): void {
  const text = pendingLines;
  pendingLines = undefined;
  if (text !== undefined) writeStdout(text);
}
export const stdoutSink: LineSink = (line) => {
  if (pendingLines !== undefined) {
    pendingLines += line + '\n';
    return;
  }
  pendingLines = line + '\n';
  queueMicrotask(flushLines);
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', flushLines);
  }
};

export interface JsonLogger extends Logger {
  /**
   * A logger adding `fields` to every line. With `mask` (a record's PII values, pii-mask.ts),
   * each line it and its children write has those values masked, whatever key holds them.
   */
  child(fields: Record<string, unknown>, mask?: PiiMask): JsonLogger;
  /** Whether a line at `level` would be written: lets a hot path skip building fields for nothing. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

/** `logger.enabled(level)` for any Logger (a user's own logger, without the method, is always asked). */
export function loggerEnabled(logger: Logger, level: Exclude<LogLevel, 'silent'>): boolean {
  const enabled = (logger as Partial<JsonLogger>).enabled;
  return typeof enabled === 'function' ? enabled(level) : true;
}

/** Keys every line starts with: a field of the same name would override them in place. */
const LINE_KEYS = new Set(['level', 'time', 'message']);

/** The fixed fields of a logger, with their JSON text made once. */
interface FixedFields {
  readonly fields: Record<string, unknown>;
  /** `,"k":v,…` for every field JSON.stringify keeps (undefined values are dropped). */
  readonly json: string;
  /** false when a field is named level, time or message (or is an array index): lines then take the exact slow path. */
  readonly plain: boolean;
}

export function createLogger(level: LogLevel, sink: LineSink, fields: Record<string, unknown> = {}): JsonLogger {
  return makeLogger(RANK[level], level, sink, fixedFields(fields));
}

function fixedFields(fields: Record<string, unknown>): FixedFields {
  let json = '';
  let plain = true;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    if (!plainKey(key)) plain = false;
    json += member(key, fields[key]);
  }
  return { fields, json, plain };
}

function makeLogger(min: number, level: LogLevel, sink: LineSink, fixed: FixedFields): JsonLogger {
  return makeLazyLogger(min, level, sink, () => fixed);
}

/**
 * `fixedOf` gives the logger's fixed fields, made on its first line: the runtime makes a child
 * logger per record, and most records (those that succeed, logged at debug) write no line, so
 * their fields are never serialised.
 */
function makeLazyLogger(min: number, level: LogLevel, sink: LineSink, fixedOf: () => FixedFields, mask?: PiiMask): JsonLogger {
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, extra?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    sink(mask ? maskedLine(lvl, message, fixedOf(), extra, mask) : logLine(lvl, message, fixedOf(), extra));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    enabled: (lvl) => RANK[lvl] >= min,
    child: (more, childMask) => {
      let made: FixedFields | undefined;
      return makeLazyLogger(min, level, sink, () => (made ??= childFields(fixedOf(), more)), mergeMasks(mask, childMask));
    },
  };
}

function childFields(fixed: FixedFields, more: Record<string, unknown>): FixedFields {
  const merged = { ...fixed.fields, ...more };
  // Appending is only exact when no new field replaces a fixed one (the spread would keep its position).
  for (const key in more) {
    if (Object.hasOwn(fixed.fields, key)) return fixedFields(merged);
  }
  const tail = fixedFields(more);
  return { fields: merged, json: fixed.json + tail.json, plain: fixed.plain && tail.plain };
}

function logLine(level: string, message: string, fixed: FixedFields, extra: Record<string, unknown> | undefined): string {
  const time = isoNow();
  let extraJson = '';
  if (extra !== undefined && extra !== null) {
    for (const key in extra) {
      if (!Object.hasOwn(extra, key)) continue;
      if (!fixed.plain || !plainKey(key) || Object.hasOwn(fixed.fields, key)) {
        return JSON.stringify({ level, time, message, ...fixed.fields, ...extra }, errorReplacer);
      }
      extraJson += member(key, extra[key]);
    }
  } else if (!fixed.plain || typeof message !== 'string') {
    return JSON.stringify({ level, time, message, ...fixed.fields }, errorReplacer);
  }
  if (typeof message !== 'string') return JSON.stringify({ level, time, message, ...fixed.fields, ...extra }, errorReplacer);
  return `{"level":"${level}","time":"${time}","message":${JSON.stringify(message)}${fixed.json}${extraJson}}`;
}

/**
 * The line `logLine` would write, with the record's PII values masked in every value at any
 * depth (strings, numbers, errors' messages). Off the fast path: only records with PII take it.
 */
function maskedLine(level: string, message: string, fixed: FixedFields, extra: Record<string, unknown> | undefined, mask: PiiMask): string {
  return JSON.stringify({ level, time: isoNow(), message, ...fixed.fields, ...extra }, (key, value) => maskValue(errorReplacer(key, value), mask));
}

function mergeMasks(a: PiiMask | undefined, b: PiiMask | undefined): PiiMask | undefined {
  if (!a || !b) return a ?? b;
  return { texts: [...new Set([...a.texts, ...b.texts])].sort((x, y) => y.length - x.length), numbers: new Set([...a.numbers, ...b.numbers]) };
}

/**
 * A key whose member can simply be appended: not one of the line's own keys, and not an
 * array index (JSON.stringify writes those first, whatever the insertion order).
 */
function plainKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return !(c >= 48 && c <= 57) && !LINE_KEYS.has(key);
}

/** `,"key":value` as JSON.stringify writes an object member, or '' when it drops it (undefined, functions). */
function member(key: string, value: unknown): string {
  const json = valueJson(value);
  return json === undefined ? '' : memberPrefix(key) + json;
}

// `,"key":` for the field names a function logs, made once each: field names come from code, so
// there are few; past MAX_PREFIXES (keys built from data) they are made per call instead.
const MAX_PREFIXES = 512;
const prefixes = new Map<string, string>();
function memberPrefix(key: string): string {
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    if (prefixes.size < MAX_PREFIXES) prefixes.set(key, prefix);
  }
  return prefix;
}

function valueJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    default:
      // Objects (toJSON, nested Errors), bigint (throws, as before), functions and symbols (dropped).
      return JSON.stringify(value, errorReplacer) as string | undefined;
  }
}

// One ISO timestamp per millisecond: every line of a record written in the same ms shares it.
// Made from the minute's text ("2026-12-07T13:10:", from toISOString once a minute) and the
// seconds and milliseconds: the same text as toISOString, which costs about a microsecond and a
// half a call, once per batch at least (its summary line). UTC minutes are whole multiples of
// 60,000 ms of the epoch (ECMAScript time has no leap seconds).
let isoMs = -1;
let isoText = '';
let minuteStart = -1;
let minuteText = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    let inMinute = now - minuteStart;
    if (inMinute < 0 || inMinute >= 60_000) {
      minuteStart = now - (((now % 60_000) + 60_000) % 60_000);
      const iso = new Date(minuteStart).toISOString();
      minuteText = iso.slice(0, iso.length - 7); // without "ss.sssZ"
      inMinute = now - minuteStart;
    }
    const seconds = Math.floor(inMinute / 1000);
    const ms = inMinute - seconds * 1000;
    isoText = `${minuteText}${seconds < 10 ? '0' : ''}${seconds}.${ms < 100 ? (ms < 10 ? '00' : '0') : ''}${ms}Z`;
  }
  return isoText;
}

// Errors have no enumerable fields; log their name and message instead of `{}`.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
