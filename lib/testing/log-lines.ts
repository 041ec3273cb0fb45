/**
 * A function's log line, read: the runtime's logger writes one JSON object a line
 * (`{ level, time, message, ...fields }`); anything else is kept as text. CloudWatch EMF metric
 * lines (objects with `_aws`) are metrics, not logs, and are left out.
 */

/** One line a handler (or the runtime around it) logged. */
export interface FlowLogLine {
  /** The subscription whose function wrote the line (its function name for functions outside a flow). */
  readonly subscription: string;
  /** `level` of a JSON line; else the stream's: `info` for stdout and console.log, `warn`, `error`. */
  readonly level: string;
  /** `message` of a JSON line; else the whole line. */
  readonly message: string;
  /** The JSON line's other fields (the handler's own, and the runtime's `topic`, `eventId`, …); empty for text. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The line as written. */
  readonly text: string;
}

const LEVEL_PREFIX = /^(WARN|ERROR|DEBUG|TRACE) (?=\{)/;

/**
 * Reads one line; undefined for an EMF metric line. `streamLevel` is the level the line was
 * written at (the journal spells non-info lines as `LEVEL <text>`, which is undone here).
 */
export function readLogLine(subscription: string, raw: string, streamLevel = 'info'): FlowLogLine | undefined {
  let text = raw;
  let level = streamLevel;
  const prefix = LEVEL_PREFIX.exec(raw);
  if (prefix) {
    level = prefix[1]!.toLowerCase();
    text = raw.slice(prefix[0].length);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const { level: ownLevel, message, time: _time, ...fields } = parsed as Record<string, unknown>;
      if ('_aws' in fields) return undefined;
      return {
        subscription,
        level: typeof ownLevel === 'string' ? ownLevel : level,
        message: typeof message === 'string' ? message : trimmed,
        fields,
        text,
      };
    }
  }
  return { subscription, level, message: text, fields: {}, text };
}

/** `Name: message` of the last error a set of lines reports in an `error` field, if any. */
export function lastLoggedError(lines: readonly FlowLogLine[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const error = lines[i]!.fields.error;
    if (typeof error === 'object' && error !== null) {
      const { name, message } = error as { name?: unknown; message?: unknown };
      if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
    }
  }
  return undefined;
}
