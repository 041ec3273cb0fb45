/**
 * W3C trace context (`traceparent: 00-<trace id>-<span id>-<flags>`) as plain strings, with no
 * tracing library: events carry it in metadata.traceparent so traces and correlation work
 * across hops even when no tracer is registered. And the AWS X-Ray trace header, the same
 * context in X-Ray's notation, so both name one trace.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { RecordContext } from './record-pipeline.ts';

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

/**
 * The AWS X-Ray trace header (`Root=1-<8 hex: epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`,
 * the `AWSTraceHeader` SQS system attribute, the `_X_AMZN_TRACE_ID` environment variable in
 * Lambda, the `TraceHeader` of a PutEvents entry) as the W3C trace context it denotes: the
 * X-Ray trace id without its version and dash is the W3C trace id (the mapping of the
 * OpenTelemetry AWS X-Ray propagator). Undefined when it names no parent segment: no span can
 * be a child of it.
 */
const XRAY_ROOT = /(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)/;
const XRAY_PARENT = /(?:^|;)\s*Parent=([0-9a-f]{16})\s*(?:;|$)/;
const XRAY_SAMPLED = /(?:^|;)\s*Sampled=([01?])\s*(?:;|$)/;

export function parseXRayTraceHeader(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const root = XRAY_ROOT.exec(value);
  const parent = XRAY_PARENT.exec(value);
  if (!root || !parent) return undefined;
  const traceId = root[1]! + root[2]!;
  if (traceId === INVALID_TRACE_ID || parent[1] === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId: parent[1]!, flags: XRAY_SAMPLED.exec(value)?.[1] === '0' ? '00' : '01' };
}

/** The X-Ray trace header of a W3C trace context: the same trace, seen by X-Ray. */
export function formatXRayTraceHeader(tp: TraceParent): string {
  const sampled = (parseInt(tp.flags, 16) & 1) === 1 ? '1' : '0';
  return `Root=1-${tp.traceId.slice(0, 8)}-${tp.traceId.slice(8)};Parent=${tp.spanId};Sampled=${sampled}`;
}

/**
 * The trace a record continues: Busline's envelope `traceparent` (the publishing span), else the
 * X-Ray trace header its transport carried (an event from a producer traced by X-Ray that does
 * not use the envelope; for direct delivery, the invocation's own trace).
 */
export function incomingTraceParent(record: Pick<RecordContext, 'metadata' | 'transport'>): TraceParent | undefined {
  return parseTraceparent(record.metadata.traceparent) ?? parseXRayTraceHeader(record.transport?.traceHeader);
}

/** An OpenTelemetry span context as a traceparent. */
export function spanContextTraceparent(sc: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, flags: sc.traceFlags.toString(16).padStart(2, '0') });
}

/** The X-Ray trace header naming the same trace and span as a traceparent, if it is one. */
export function xrayTraceHeaderOf(traceparent: string | undefined): string | undefined {
  const tp = parseTraceparent(traceparent);
  return tp ? formatXRayTraceHeader(tp) : undefined;
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
