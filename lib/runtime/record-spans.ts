/**
 * The spans of one record, when spans are recorded (a tracer provider is registered: the ADOT
 * layer's, trace-export.ts's, the team's own). Not in a function's main bundle: the tracing step
 * (middleware/tracing.ts) imports it the first time a record is traced (importRuntimeModule), so
 * a function without a tracer never loads it.
 *
 * A record gives, each span the child of the one before:
 *   `<topic> deliver`  the rule hop: from `metadata.publishedAt` to when the queue accepted the
 *                      message (SQS SentTimestamp), or for direct delivery to the invoke;
 *   `<queue> wait`     the queue hop: from SentTimestamp to when the record's processing starts
 *                      (the event source mapping's polling and batching included);
 *   `<topic> process`  the handler (CONSUMER), ended with the record's outcome;
 *   `<topics> publish` what the handler publishes (PRODUCER), made by the first publish: its
 *                      context is the traceparent (and X-Ray TraceHeader) of the published events,
 *                      so the next subscription's `deliver` span is its child.
 * The hop spans are made from the timestamps the event and the message carry: no AWS service
 * reports them to the function otherwise. The first is the child of the incoming trace
 * (trace-context.ts incomingTraceParent); the process span is linked to the X-Ray traces the
 * record touched and does not continue (xrayLinks).
 */
import { ProxyTracerProvider, SpanKind, SpanStatusCode, context as otelContext, isSpanContextValid, trace, type Context, type Link, type Span, type SpanContext, type TracerProvider } from '@opentelemetry/api';
import type { RecordContext, RecordOutcome } from './record-pipeline.ts';
import { INVALID_SPAN_ID, INVALID_TRACE_ID, childTraceparent, formatTraceparent, incomingTraceParent, parseXRayTraceHeader, spanContextTraceparent, type TraceParent } from './trace-context.ts';

export interface RecordSpans {
  /** The traceparent of the events the handler publishes: the publish span's, made on the first call. */
  publishTraceparent(topics: readonly string[]): string;
  /** Ends the publish span and the process span, with the outcome. */
  end(outcome: RecordOutcome): void;
}

function remoteContext(parent: TraceParent): SpanContext {
  return { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parseInt(parent.flags, 16), isRemote: true };
}

/** The span's context as a traceparent, or a child of `parent` when the span is a no-op one. */
function traceparentOfSpan(span: Span, parent: TraceParent | undefined): string {
  const sc = span.spanContext();
  // A no-op tracer hands back the parent's own context: that is no new span.
  return sc.traceId !== INVALID_TRACE_ID && sc.spanId !== INVALID_SPAN_ID && sc.spanId !== parent?.spanId ? spanContextTraceparent(sc) : formatTraceparent(childTraceparent(parent));
}

function hopSpans(record: RecordContext, parentContext: Context, now: number): Context {
  const tracer = trace.getTracer('busline');
  let ctx = parentContext;
  const publishedAt = record.metadata.publishedAt ? Date.parse(record.metadata.publishedAt) : NaN;
  const transport = record.transport;
  const sentAt = transport?.sentAt;
  if (Number.isFinite(publishedAt)) {
    const deliver = tracer.startSpan(
      `${record.topic} deliver`,
      { kind: SpanKind.INTERNAL, startTime: publishedAt, attributes: { 'busline.hop': 'rule', 'messaging.system': 'aws_eventbridge', 'messaging.destination.name': record.topic, 'busline.subscription': record.subscription } },
      ctx,
    );
    deliver.end(Math.max(publishedAt, sentAt ?? now));
    ctx = trace.setSpan(ctx, deliver);
  }
  if (sentAt !== undefined && transport?.queueArn) {
    const queue = transport.queueArn.slice(transport.queueArn.lastIndexOf(':') + 1);
    const wait = tracer.startSpan(
      `${queue} wait`,
      { kind: SpanKind.INTERNAL, startTime: sentAt, attributes: { 'busline.hop': 'queue', 'messaging.system': 'aws_sqs', 'messaging.destination.name': queue, 'busline.subscription': record.subscription } },
      ctx,
    );
    wait.end(Math.max(sentAt, now));
    ctx = trace.setSpan(ctx, wait);
  }
  return ctx;
}

/**
 * X-Ray traces the process span is linked to: the transport's trace header when it names another
 * trace than the one continued (a producer traced by X-Ray and not through Busline's publisher),
 * and the invocation's own X-Ray trace (_X_AMZN_TRACE_ID: the function's segment when Lambda
 * tracing is active), so the X-Ray console and the OpenTelemetry backend lead to each other.
 */
export function xrayLinks(record: Pick<RecordContext, 'transport'>, parent: TraceParent | undefined, invocationTraceHeader: string | undefined): Link[] {
  const links: Link[] = [];
  const seen = new Set(parent ? [parent.traceId] : []);
  for (const header of [record.transport?.traceHeader, invocationTraceHeader]) {
    const tp = parseXRayTraceHeader(header);
    if (!tp || seen.has(tp.traceId)) continue;
    seen.add(tp.traceId);
    links.push({ context: remoteContext(tp), attributes: { 'busline.link': 'aws-xray' } });
  }
  return links;
}

export function startRecordSpans(record: RecordContext): RecordSpans {
  const tracer = trace.getTracer('busline');
  const parent = incomingTraceParent(record);
  const incoming = parent ? trace.setSpanContext(otelContext.active(), remoteContext(parent)) : otelContext.active();
  const span = tracer.startSpan(
    `${record.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': record.transport?.queueArn ? 'aws_sqs' : 'aws_eventbridge',
        'messaging.operation': 'process',
        'messaging.destination.name': record.topic,
        'messaging.message.id': record.eventId,
        'busline.subscription': record.subscription,
        'busline.correlation_id': record.correlationId,
        'busline.attempt': record.attempt,
      },
      links: xrayLinks(record, parent, process.env._X_AMZN_TRACE_ID),
    },
    hopSpans(record, incoming, Date.now()),
  );
  let publish: { span: Span; traceparent: string } | undefined;
  return {
    publishTraceparent(topics) {
      if (!publish) {
        const p = tracer.startSpan(
          `${[...new Set(topics)].join(', ') || 'events'} publish`,
          { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'aws_eventbridge', 'messaging.operation': 'publish', 'busline.subscription': record.subscription } },
          trace.setSpan(otelContext.active(), span),
        );
        publish = { span: p, traceparent: traceparentOfSpan(p, parent) };
      }
      return publish.traceparent;
    },
    end(outcome) {
      publish?.span.end();
      span.setAttribute('busline.outcome', outcome.kind);
      if ('error' in outcome) {
        span.recordException(outcome.error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
      }
      span.end();
    },
  };
}

/** The provider a ProxyTracerProvider hands out while none is registered (the API's no-op one). */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * The tracer provider registered with the OpenTelemetry API (by trace-export.ts, the ADOT layer's
 * wrapper or the team's own code), or undefined while none is.
 */
export function registeredTracerProvider(): TracerProvider | undefined {
  const provider = trace.getTracerProvider();
  if (!(provider instanceof ProxyTracerProvider)) return provider;
  const delegate = provider.getDelegate();
  return delegate === NOOP_PROVIDER ? undefined : delegate;
}

/** Registers `provider` globally through this module's copy of the API (where Busline's spans are made). */
export function setGlobalTracerProvider(provider: TracerProvider): boolean {
  return trace.setGlobalTracerProvider(provider);
}

/**
 * The record's spans, or undefined when they would be no-ops: no tracer provider is registered
 * and no active context carries a span. Then the record's traceparent is a child of the incoming
 * one either way, with no span, context or attributes object to make. Checked per record: a
 * provider may be registered after the handler is wrapped (trace-export.ts does, at the first
 * invocation).
 */
export function startRecordSpansIfTraced(record: RecordContext): RecordSpans | undefined {
  if (!registeredTracerProvider()) {
    const active = trace.getSpanContext(otelContext.active());
    if (active === undefined || !isSpanContextValid(active)) return undefined;
  }
  return startRecordSpans(record);
}

/** The active span's context as a traceparent, or undefined when no span is active. */
export function activeTraceparent(): string | undefined {
  const sc = trace.getSpanContext(otelContext.active());
  return sc && isSpanContextValid(sc) ? spanContextTraceparent(sc) : undefined;
}
