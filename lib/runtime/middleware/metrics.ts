/**
 * Metrics: one CloudWatch Embedded Metric Format document per invocation, written as a log
 * line (CloudWatch turns it into metrics; no API call, no SDK). Dimensions Flow + Subscription.
 * Then one `batch processed` info log line with the same counts (see MetricsOptions.logger).
 *
 *   Processed     records whose handler succeeded
 *   Failed        records that failed (retried or dead-lettered)
 *   Retried       records reported back to the source for redelivery (incl. never attempted)
 *   DeadLettered  records the runtime sent to the DLQ
 *   Invalid       dead-lettered because malformed or schema-invalid
 *   Duplicate     records a dedupe step skipped
 *   EndToEndLatency  now − metadata.publishedAt, ms, per record (values array)
 *   HandlerDuration  user handler time, ms, per record that ran it
 */
import type { MiddlewareObj } from '@middy/core';
import { invocationState, type BuslineRequest, type InvocationState } from '../invocation.ts';
import type { JsonLogger, LineSink } from '../logger.ts';

export interface MetricsOptions {
  readonly namespace: string;
  readonly flow: string;
  readonly subscription: string;
  readonly sink: LineSink;
  /**
   * Writes the batch's summary line (`batch processed`, info) with the same counts: records
   * that succeed log at debug, so at info this line is what says a batch went through.
   */
  readonly logger?: JsonLogger;
}

const COUNTS = ['Processed', 'Failed', 'Retried', 'DeadLettered', 'Invalid', 'Duplicate'] as const;
/** EMF accepts at most 100 values per metric per document. */
const MAX_VALUES = 100;

/** What one invocation's EMF document and summary line report. */
export interface BatchFigures {
  readonly counts: Record<(typeof COUNTS)[number], number>;
  readonly latency: number[];
  readonly duration: number[];
}

export function batchFigures(state: InvocationState, now: number): BatchFigures {
  const counts: Record<(typeof COUNTS)[number], number> = { Processed: 0, Failed: 0, Retried: 0, DeadLettered: 0, Invalid: 0, Duplicate: 0 };
  const latency: number[] = [];
  const duration: number[] = [];
  for (const r of state.results) {
    const o = r.outcome;
    if (o.kind === 'succeeded') counts.Processed++;
    else if (o.kind === 'duplicate') counts.Duplicate++;
    else if (o.kind === 'retry') {
      counts.Failed++;
      counts.Retried++;
    } else if (o.kind === 'not-attempted') counts.Retried++;
    else {
      counts.Failed++;
      counts.DeadLettered++;
      if (o.reason !== 'non-retryable') counts.Invalid++;
    }
    const publishedAt = r.record?.metadata.publishedAt;
    if (publishedAt && latency.length < MAX_VALUES) {
      const t = Date.parse(publishedAt);
      if (Number.isFinite(t)) latency.push(Math.max(0, now - t));
    }
    if (r.timings.handlerMs !== undefined && duration.length < MAX_VALUES) duration.push(Math.round(r.timings.handlerMs * 100) / 100);
  }
  return { counts, latency, duration };
}

function metricDefinitions(latency: boolean, duration: boolean): Array<{ Name: string; Unit: string }> {
  return [
    ...COUNTS.map((Name) => ({ Name, Unit: 'Count' })),
    ...(latency ? [{ Name: 'EndToEndLatency', Unit: 'Milliseconds' }] : []),
    ...(duration ? [{ Name: 'HandlerDuration', Unit: 'Milliseconds' }] : []),
  ];
}

export function emfDocument(state: InvocationState, options: MetricsOptions, now: number): Record<string, unknown> {
  const { counts, latency, duration } = batchFigures(state, now);
  return {
    _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [['Flow', 'Subscription']], Metrics: metricDefinitions(latency.length > 0, duration.length > 0) }] },
    Flow: options.flow,
    Subscription: options.subscription,
    ...counts,
    ...(latency.length ? { EndToEndLatency: latency } : {}),
    ...(duration.length ? { HandlerDuration: duration } : {}),
  };
}

/**
 * `JSON.stringify(emfDocument(state, options, now))`, the same text, built from pieces made once
 * per wrapper: the metric directive (namespace, dimensions, the metric list in its four
 * variants) and the Flow/Subscription members never change between invocations.
 */
export function emfLineWriter(options: MetricsOptions): (figures: BatchFigures, now: number) => string {
  const directives = [false, true].map((latency) =>
    [false, true].map((duration) =>
      `,"CloudWatchMetrics":${JSON.stringify([{ Namespace: options.namespace, Dimensions: [['Flow', 'Subscription']], Metrics: metricDefinitions(latency, duration) }])}},"Flow":${JSON.stringify(options.flow)},"Subscription":${JSON.stringify(options.subscription)}`,
    ),
  );
  return ({ counts, latency, duration }, now) => {
    let line = `{"_aws":{"Timestamp":${now}${directives[latency.length > 0 ? 1 : 0]![duration.length > 0 ? 1 : 0]}`;
    for (const name of COUNTS) line += `,"${name}":${counts[name]}`;
    if (latency.length > 0) line += `,"EndToEndLatency":[${latency.join(',')}]`;
    if (duration.length > 0) line += `,"HandlerDuration":[${duration.join(',')}]`;
    return line + '}';
  };
}

export function metricsMiddleware(options: MetricsOptions): MiddlewareObj {
  const emfLine = emfLineWriter(options);
  const flush = (request: BuslineRequest): void => {
    const state = invocationState(request);
    if (state.results.length === 0) return;
    const now = Date.now();
    const figures = batchFigures(state, now);
    options.sink(emfLine(figures, now));
    const { counts } = figures;
    options.logger?.info('batch processed', {
      records: state.results.length,
      processed: counts.Processed,
      duplicate: counts.Duplicate,
      failed: counts.Failed,
      retried: counts.Retried,
      deadLettered: counts.DeadLettered,
    });
  };
  return {
    name: 'busline-metrics',
    after: function emitMetrics(request) {
      flush(request as BuslineRequest);
    },
    onError: function emitMetricsOnError(request) {
      flush(request as BuslineRequest);
    },
  };
}
