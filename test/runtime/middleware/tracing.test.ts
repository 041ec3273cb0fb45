import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace, type Span, type SpanContext, type SpanOptions, type Tracer, type TracerProvider, type Context as OtelContext } from '@opentelemetry/api';
import { tracingStep, traceparentOf } from '../../../lib/runtime/middleware/tracing.ts';
import { childTraceparent, formatTraceparent, parseTraceparent } from '../../../lib/runtime/trace-context.ts';
import { createLogger } from '../../../lib/runtime/logger.ts';
import type { RecordContext } from '../../../lib/runtime/record-pipeline.ts';

const INCOMING = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function record(lines: string[], traceparent?: string): RecordContext {
  return {
    subscription: 's', flow: 'f', delivery: 'queue', topic: 'order.placed', eventId: 'evt-1', eventBridgeId: 'eb-1',
    event: {} as RecordContext['event'], enveloped: true, metadata: traceparent ? { traceparent } : {}, data: {},
    correlationId: 'corr-1', attempt: 2,
    deadline: { remainingMs: () => 1, remainingBeforeGuardMs: () => 1, signal: new AbortController().signal },
    logger: createLogger('info', (l) => void lines.push(l), { topic: 'order.placed', eventId: 'evt-1', correlationId: 'corr-1', attempt: 2 }),
  };
}

test('traceparent strings parse and format; invalid ones are refused', () => {
  assert.equal(formatTraceparent(parseTraceparent(INCOMING)!), INCOMING);
  assert.equal(parseTraceparent('00-' + '0'.repeat(32) + '-b7ad6b7169203331-01'), undefined);
  assert.equal(parseTraceparent('garbage'), undefined);
  const child = childTraceparent(parseTraceparent(INCOMING));
  assert.equal(child.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.match(child.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(child.spanId, 'b7ad6b7169203331');
});

test('without a tracer, the record traceparent continues the incoming trace with a new span id', async () => {
  const lines: string[] = [];
  const r = record(lines, INCOMING);
  const step = tracingStep();
  await step.before!(r);
  const tp = parseTraceparent(traceparentOf(r))!;
  assert.equal(tp.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.notEqual(tp.spanId, 'b7ad6b7169203331');
});

test('one structured log line per record outcome with topic, event id, correlation id, attempt, duration and outcome', async () => {
  const lines: string[] = [];
  const r = record(lines);
  const step = tracingStep();
  await step.before!(r);
  await step.settle!(r, { kind: 'retry', error: new Error('db down') });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.equal(line.level, 'warn');
  assert.equal(line.message, 'record failed');
  assert.deepEqual({ topic: line.topic, eventId: line.eventId, correlationId: line.correlationId, attempt: line.attempt, outcome: line.outcome }, { topic: 'order.placed', eventId: 'evt-1', correlationId: 'corr-1', attempt: 2, outcome: 'retry' });
  assert.equal(typeof line.durationMs, 'number');
  assert.deepEqual(line.error, { name: 'Error', message: 'db down' });
});

test('with a registered tracer, a consumer span is a child of the incoming traceparent and ends with the outcome, after the span of what the handler published', async () => {
  const ended: Array<{ name: string; parent?: SpanContext; attributes: Record<string, unknown>; status?: number }> = [];
  const provider: TracerProvider = {
    getTracer: (): Tracer => ({
      startSpan(name: string, options: SpanOptions = {}, ctx?: OtelContext): Span {
        const parent = ctx ? trace.getSpanContext(ctx) : undefined;
        const sc: SpanContext = { traceId: parent?.traceId ?? 'f'.repeat(32), spanId: '1234567890abcdef', traceFlags: 1 };
        const rec = { name, parent, attributes: { ...(options.attributes ?? {}) } as Record<string, unknown>, status: undefined as number | undefined };
        const span = {
          spanContext: () => sc,
          setAttribute: (k: string, v: unknown) => ((rec.attributes[k] = v), span),
          setAttributes: () => span,
          addEvent: () => span,
          addLink: () => span,
          addLinks: () => span,
          setStatus: (s: { code: number }) => ((rec.status = s.code), span),
          updateName: () => span,
          end: () => void ended.push(rec),
          isRecording: () => true,
          recordException: () => undefined,
        } as unknown as Span;
        return span;
      },
      startActiveSpan: (() => undefined) as unknown as Tracer['startActiveSpan'],
    }),
  };
  assert.equal(trace.setGlobalTracerProvider(provider), true);
  try {
    const lines: string[] = [];
    const r = record(lines, INCOMING);
    const step = tracingStep();
    await step.before!(r);
    assert.equal(traceparentOf(r), '00-0af7651916cd43dd8448eb211c80319c-1234567890abcdef-01');
    await step.settle!(r, { kind: 'succeeded' });
    // The publish span (made by the first publish, a child of the record's span), then the record's span.
    assert.deepEqual(ended.map((e) => e.name), ['events publish', 'order.placed process']);
    assert.equal(ended[1]!.parent?.spanId, 'b7ad6b7169203331');
    assert.equal(ended[1]!.attributes['busline.outcome'], 'succeeded');
    assert.equal(ended[1]!.attributes['messaging.message.id'], 'evt-1');
  } finally {
    trace.disable();
  }
});
