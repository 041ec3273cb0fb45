/**
 * Structured JSON logs: one line per call, `{ level, time, message, ...fields }`, written to
 * stdout where Lambda ships it to CloudWatch Logs. Child loggers add fixed fields (subscription,
 * then topic/event id/correlation id/attempt per record) without re-serialising them per call.
 */
import type { Logger } from './handler-types.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Where log lines and EMF metric lines go (one JSON document per call, no newline). */
export type LineSink = (line: string) => void;

export const stdoutSink: LineSink = (line) => {
  process.stdout.write(line + '\n');
};

export interface JsonLogger extends Logger {
  child(fields: Record<string, unknown>): JsonLogger;
}

export function createLogger(level: LogLevel, sink: LineSink, fields: Record<string, unknown> = {}): JsonLogger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, extra?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    sink(JSON.stringify({ level: lvl, time: new Date().toISOString(), message, ...fields, ...extra }, errorReplacer));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (more) => createLogger(level, sink, { ...fields, ...more }),
  };
}

// Errors have no enumerable fields; log their name and message instead of `{}`.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
