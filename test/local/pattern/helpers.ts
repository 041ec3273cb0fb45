import { compilePattern } from '../../../lib/local/pattern/index.ts';

/** An EventBridge event with the usual envelope around the given fields. */
export function event(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0', id: 'e-1', account: '123456789012', time: '2026-01-01T00:00:00Z', region: 'us-east-1',
    source: 'orders', 'detail-type': 'OrderPlaced', resources: [], ...fields,
  };
}

export function matches(pattern: unknown, ev: Record<string, unknown>): boolean {
  return compilePattern(JSON.stringify(pattern)).matches(ev);
}

/** Match a pattern against `detail` only. */
export function detailMatches(detailPattern: unknown, detail: unknown): boolean {
  return matches({ detail: detailPattern }, event({ detail }));
}
