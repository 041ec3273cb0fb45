/**
 * W3C trace context (`traceparent: 00-<trace id>-<span id>-<flags>`) as plain strings, with no
 * tracing library: events carry it in metadata.traceparent so traces and correlation work
 * across hops even when no tracer is registered.
 */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export const INVALID_TRACE_ID = '0'.repeat(32);
export const INVALID_SPAN_ID = '0'.repeat(16);

export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: string;
}

export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m || m[1] === INVALID_TRACE_ID || m[2] === INVALID_SPAN_ID) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! };
}

export function formatTraceparent(tp: TraceParent): string {
  return `00-${tp.traceId}-${tp.spanId}-${tp.flags}`;
}

/** A new span id under the same trace, or a new sampled trace when there is no parent. */
export function childTraceparent(parent: TraceParent | undefined): TraceParent {
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    flags: parent?.flags ?? '01',
  };
}

// Web Crypto (globalThis.crypto) rather than node:crypto: Node loads it on first use, while
// importing node:crypto costs milliseconds at cold start whether or not it is used.
// getRandomValues costs about a microsecond per call whatever the size, so random bytes are
// drawn 4 KB at a time (a new span id per record would otherwise pay it every time).
const POOL_BYTES = 4096;
let pool: Uint8Array | undefined;
let poolOffset = POOL_BYTES;
const HEX = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    pool = crypto.getRandomValues(pool ?? new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  const buf = pool!;
  let hex = '';
  for (let i = poolOffset, end = poolOffset + bytes; i < end; i++) hex += HEX[buf[i]!];
  poolOffset += bytes;
  return hex;
}
