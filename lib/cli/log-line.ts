/**
 * Compact rendering of a function's log line for the terminal: CloudWatch EMF metric lines
 * are dropped (they are metrics, not logs), structured JSON lines become
 * `LEVEL message key=value…`, anything else is shown as written.
 */
const SHOWN_KEYS = ['orderId', 'outcome', 'attempt', 'durationMs', 'error', 'reason'];

export function renderLogLine(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return text;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return text;
  }
  if ('_aws' in parsed) return undefined;
  if (typeof parsed.message !== 'string') return text;
  const extras = SHOWN_KEYS.filter((k) => parsed[k] !== undefined).map((k) => `${k}=${typeof parsed[k] === 'object' ? JSON.stringify(parsed[k]) : String(parsed[k])}`);
  const level = typeof parsed.level === 'string' ? parsed.level.toUpperCase() : 'INFO';
  return `${level} ${parsed.message}${extras.length ? `  ${extras.join(' ')}` : ''}`;
}
