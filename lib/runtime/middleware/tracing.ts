/**
 * Tracing step: one span per record through @opentelemetry/api (a no-op unless the function
 * registers a tracer provider), the W3C `traceparent` the handler's publishes carry, and one
 * structured log line per record outcome (topic, event id, correlation id, attempt, duration,
 * outcome), at debug for a success (see logOutcome).
 *
 * The traceparent continues the incoming event's trace: with a real tracer it is the record
 * span's context; without one, the incoming trace id (or a new one) with a fresh span id, so
 * correlation across hops works with no tracing backend at all.
 */
import { ProxyTracerProvider, SpanKind, SpanStatusCode, context as otelContext, isSpanContextValid, trace, type Span } from '@opentelemetry/api';
import type { RecordContext, RecordOutcome, RecordStep } from '../record-pipeline.ts';
import { loggerEnabled } from '../logger.ts';
import { INVALID_SPAN_ID, INVALID_TRACE_ID, childTraceparent, formatTraceparent, parseTraceparent } from '../trace-context.ts';

interface RecordTrace {
  /** Absent when no tracer provider is registered: a no-op span records nothing. */
  readonly span: Span | undefined;
  /**
   * Without a span, made on first use (traceparentOf): most records publish nothing, so parsing
   * the incoming traceparent and drawing a span id per record would be wasted.
   */
  traceparent: string | undefined;
  readonly startedAt: number;
}

const traces = new WeakMap<RecordContext, RecordTrace>();

/** The provider a ProxyTracerProvider hands out while none is registered (the API's no-op one). */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * true when spans would be no-ops: no tracer provider is registered (with this copy of the API)
 * and no active context carries a span. Then the span the API would return is the parent's
 * context or an invalid one, and the record's traceparent is a child of the incoming one either
 * way, so there is no span, context or attributes object to make per record. Checked per record:
 * a provider may be registered after the handler is wrapped.
 */
function tracingIsNoop(): boolean {
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER) return false;
  const active = trace.getSpanContext(otelContext.active());
  return active === undefined || !isSpanContextValid(active);
}

/** The traceparent that events published while handling `record` carry. */
export function traceparentOf(record: RecordContext): string | undefined {
  const t = traces.get(record);
  if (!t) return undefined;
  return (t.traceparent ??= formatTraceparent(childTraceparent(parseTraceparent(record.metadata.traceparent))));
}

export function tracingStep(): RecordStep {
  const tracer = trace.getTracer('busline');
  return {
    name: 'tracing',
    before: function startRecordSpan(record) {
      if (tracingIsNoop()) {
        traces.set(record, { span: undefined, traceparent: undefined, startedAt: performance.now() });
        return;
      }
      const parent = parseTraceparent(record.metadata.traceparent);
      const parentContext = parent
        ? trace.setSpanContext(otelContext.active(), { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parseInt(parent.flags, 16), isRemote: true })
        : otelContext.active();
      const span = tracer.startSpan(
        `${record.topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'aws_eventbridge',
            'messaging.operation': 'process',
            'messaging.destination.name': record.topic,
            'messaging.message.id': record.eventId,
            'busline.subscription': record.subscription,
            'busline.correlation_id': record.correlationId,
            'busline.attempt': record.attempt,
          },
        },
        parentContext,
      );
      const sc = span.spanContext();
      const traceparent =
        // The no-op tracer hands back the parent's own context: that is no new span.
        sc.traceId !== INVALID_TRACE_ID && sc.spanId !== INVALID_SPAN_ID && sc.spanId !== parent?.spanId
          ? formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, flags: sc.traceFlags.toString(16).padStart(2, '0') })
          : formatTraceparent(childTraceparent(parent));
      traces.set(record, { span, traceparent, startedAt: performance.now() });
    },
    settle: function endRecordSpan(record, outcome) {
      const t = traces.get(record);
      // A success logs at debug: at the default level there is no line, so no duration to format.
      const durationMs = t && (outcome.kind !== 'succeeded' || loggerEnabled(record.logger, 'debug')) ? Math.round((performance.now() - t.startedAt) * 100) / 100 : undefined;
      if (t?.span) {
        t.span.setAttribute('busline.outcome', outcome.kind);
        if ('error' in outcome) {
          t.span.recordException(outcome.error);
          t.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
        }
        t.span.end();
      }
      // Published events read the traceparent only while the handler runs.
      traces.delete(record);
      logOutcome(record, outcome, durationMs);
    },
  };
}

/**
 * One line per record outcome: a success at debug (the batch's summary line, written by the
 * metrics middleware at info, counts them), a duplicate at info, failures at warn/error so
 * they stand out. At the default level (info) a batch that succeeds writes two lines in all,
 * the summary and the EMF metrics, instead of one per record.
 */
export function logOutcome(record: RecordContext, outcome: RecordOutcome, durationMs: number | undefined): void {
  if (outcome.kind === 'succeeded') {
    if (loggerEnabled(record.logger, 'debug')) record.logger.debug('record processed', { outcome: 'succeeded', durationMs });
    return;
  }
  const fields: Record<string, unknown> = { outcome: outcome.kind, durationMs };
  if ('error' in outcome) fields.error = { name: outcome.error.name, message: outcome.error.message };
  if (outcome.kind === 'duplicate' || outcome.kind === 'not-attempted' || outcome.kind === 'dead-letter') fields.reason = outcome.reason;
  if (outcome.kind === 'duplicate') record.logger.info('record processed', fields);
  else if (outcome.kind === 'dead-letter') record.logger.error('record dead-lettered', fields);
  else record.logger.warn('record failed', fields);
}
