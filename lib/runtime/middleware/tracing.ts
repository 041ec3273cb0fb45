/**
 * Tracing step: the spans of each record through @opentelemetry/api when a tracer provider is
 * registered (record-spans.ts, which carries the API and is loaded only once something registered
 * with it: otel-bridge.ts), the W3C `traceparent` the handler's publishes carry, and one
 * structured log line per record outcome (topic, event id, correlation id, attempt, duration,
 * outcome), at debug for a success (see logOutcome).
 *
 * The traceparent continues the incoming event's trace: with a real tracer it is the context of
 * the record's publish span; without one, the incoming trace id (or a new one) with a fresh span
 * id, so correlation across hops works with no tracing backend at all.
 *
 * One trace across hops: the incoming trace is the envelope's traceparent, else the X-Ray trace
 * header the record came with (SQS AWSTraceHeader; direct delivery: _X_AMZN_TRACE_ID); the
 * publisher writes the same context as the PutEvents entry's TraceHeader (publisher.ts), so
 * EventBridge and SQS carry it as the X-Ray header and both notations name one trace. With
 * spans recorded, a record gives `<topic> deliver` (rule hop) → `<queue> wait` (queue hop) →
 * `<topic> process` (the handler) → `<topics> publish` (what it publishes), each the child of
 * the one before (record-spans.ts).
 */
import type { RecordContext, RecordOutcome, RecordStep } from '../record-pipeline.ts';
import { recordLogEnabled } from '../decoded-record.ts';
import { RecordSlot } from '../record-slot.ts';
import { childTraceparent, formatTraceparent, incomingTraceParent } from '../trace-context.ts';
import type { RecordSpans } from '../record-spans.ts';
import { loadedRecordSpans, otelApiInUse, recordSpansModule } from '../otel-bridge.ts';

interface RecordTrace {
  /** Absent when no tracer provider is registered: a no-op span records nothing. */
  readonly spans: RecordSpans | undefined;
  /**
   * Without spans, made on first use (traceparentOf): most records publish nothing, so parsing
   * the incoming traceparent and drawing a span id per record would be wasted.
   */
  traceparent: string | undefined;
  readonly startedAt: number;
}

const traces = new RecordSlot<RecordTrace>();

/**
 * The traceparent that events published while handling `record` carry: the context of the
 * record's publish span when spans are recorded, else a new span id under the incoming trace.
 */
export function traceparentOf(record: RecordContext, topics: readonly string[] = []): string | undefined {
  const t = traces.get(record);
  if (!t) return undefined;
  if (t.spans) return t.spans.publishTraceparent(topics);
  return (t.traceparent ??= formatTraceparent(childTraceparent(incomingTraceParent(record))));
}

/**
 * The active OpenTelemetry span's context as a traceparent (a publisher called inside a traced
 * request continues its trace), or undefined when no span is active. The publisher awaits
 * recordSpansModule() first, so the module is loaded whenever the API is in use.
 */
export function activeTraceparent(): string | undefined {
  return loadedRecordSpans()?.activeTraceparent();
}

function startTrace(record: RecordContext, m: typeof import('../record-spans.ts') | undefined): void {
  traces.set(record, { spans: m?.startRecordSpansIfTraced(record), traceparent: undefined, startedAt: performance.now() });
}

export function tracingStep(): RecordStep {
  return {
    name: 'tracing',
    before: function startRecordSpan(record) {
      const loaded = loadedRecordSpans();
      if (loaded || !otelApiInUse()) return startTrace(record, loaded);
      // The first record after the API came into use waits for the module; the rest start at once.
      return recordSpansModule().then((m) => startTrace(record, m));
    },
    settle: function endRecordSpan(record, outcome) {
      const t = traces.get(record);
      // A success logs at debug: at the default level there is no line, so no duration to format.
      const durationMs = t && (outcome.kind !== 'succeeded' || recordLogEnabled(record, 'debug')) ? Math.round((performance.now() - t.startedAt) * 100) / 100 : undefined;
      t?.spans?.end(outcome);
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
    if (recordLogEnabled(record, 'debug')) record.logger.debug('record processed', { outcome: 'succeeded', durationMs });
    return;
  }
  const fields: Record<string, unknown> = { outcome: outcome.kind, durationMs };
  if ('error' in outcome) fields.error = { name: outcome.error.name, message: outcome.error.message };
  if (outcome.kind === 'duplicate' || outcome.kind === 'not-attempted' || outcome.kind === 'dead-letter') fields.reason = outcome.reason;
  if (outcome.kind === 'duplicate') record.logger.info('record processed', fields);
  else if (outcome.kind === 'dead-letter') record.logger.error('record dead-lettered', fields);
  else record.logger.warn('record failed', fields);
}
