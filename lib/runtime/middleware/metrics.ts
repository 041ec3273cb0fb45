/**
 * Metrics: one CloudWatch Embedded Metric Format document per invocation (one more per further
 * 100 values of a value metric: EMF_MAX_VALUES), written as log lines (CloudWatch turns them into
 * metrics; no API call, no SDK). Dimensions Flow + Subscription. Nothing is dropped: every
 * record's latency and duration reach CloudWatch, however large the batch.
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
import { COUNT_METRICS, DURATION_METRIC, LATENCY_METRIC, METRIC_DIMENSIONS, type CountMetric } from '../metric-names.ts';

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

/**
 * Values of one metric one EMF document may carry: "an array of up to 100 values" per target
 * member (CloudWatch, "Specification: Embedded metric format",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * A batch with more (a batch size above 100) is written as several documents: see emfLineWriter.
 */
export const EMF_MAX_VALUES = 100;

/** What one invocation's EMF documents and summary line report. */
export interface BatchFigures {
  readonly counts: Record<CountMetric, number>;
  /** One value per record with a publishedAt, however many: split across documents when written. */
  readonly latency: number[];
  readonly duration: number[];
}

export function batchFigures(state: InvocationState, now: number): BatchFigures {
  const counts: Record<CountMetric, number> = { Processed: 0, Failed: 0, Retried: 0, DeadLettered: 0, Invalid: 0, Duplicate: 0 };
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
    if (publishedAt) {
      const t = Date.parse(publishedAt);
      if (Number.isFinite(t)) latency.push(Math.max(0, now - t));
    }
    if (r.timings.handlerMs !== undefined) duration.push(Math.round(r.timings.handlerMs * 100) / 100);
  }
  return { counts, latency, duration };
}

function metricDefinitions(counts: boolean, latency: boolean, duration: boolean): Array<{ Name: string; Unit: string }> {
  return [
    ...(counts ? COUNT_METRICS.map((Name) => ({ Name, Unit: 'Count' })) : []),
    ...(latency ? [{ Name: LATENCY_METRIC, Unit: 'Milliseconds' }] : []),
    ...(duration ? [{ Name: DURATION_METRIC, Unit: 'Milliseconds' }] : []),
  ];
}

/** Documents needed for these figures: one, plus one per further 100 values of the longer list. */
function documentCount({ latency, duration }: BatchFigures): number {
  return Math.max(1, Math.ceil(Math.max(latency.length, duration.length) / EMF_MAX_VALUES));
}

/**
 * The invocation's EMF documents. The first carries the counts and the first 100 values of
 * each value metric; each further one (only when a metric has more than 100 values) carries
 * the next 100 values of the value metrics and no counts, so CloudWatch counts every record
 * once and receives every value.
 */
export function emfDocuments(state: InvocationState, options: MetricsOptions, now: number): Array<Record<string, unknown>> {
  const figures = batchFigures(state, now);
  const docs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < documentCount(figures); i++) {
    const latency = figures.latency.slice(i * EMF_MAX_VALUES, (i + 1) * EMF_MAX_VALUES);
    const duration = figures.duration.slice(i * EMF_MAX_VALUES, (i + 1) * EMF_MAX_VALUES);
    docs.push({
      _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [METRIC_DIMENSIONS], Metrics: metricDefinitions(i === 0, latency.length > 0, duration.length > 0) }] },
      Flow: options.flow,
      Subscription: options.subscription,
      ...(i === 0 ? figures.counts : {}),
      ...(latency.length ? { [LATENCY_METRIC]: latency } : {}),
      ...(duration.length ? { [DURATION_METRIC]: duration } : {}),
    });
  }
  return docs;
}

/**
 * `emfDocuments(state, options, now).map(JSON.stringify)`, the same text, built from pieces made
 * once per wrapper: the metric directive (namespace, dimensions, the metric list in each of its
 * variants) and the Flow/Subscription members never change between invocations. A batch of up
 * to 100 records is one line, the common case.
 */
export function emfLineWriter(options: MetricsOptions): (figures: BatchFigures, now: number) => string[] {
  // directives[counts][latency][duration]
  const directives = [false, true].map((counts) =>
    [false, true].map((latency) =>
      [false, true].map((duration) =>
        `,"CloudWatchMetrics":${JSON.stringify([{ Namespace: options.namespace, Dimensions: [METRIC_DIMENSIONS], Metrics: metricDefinitions(counts, latency, duration) }])}},"Flow":${JSON.stringify(options.flow)},"Subscription":${JSON.stringify(options.subscription)}`,
      ),
    ),
  );
  return (figures, now) => {
    const { counts, latency, duration } = figures;
    const lines: string[] = [];
    const n = documentCount(figures);
    for (let i = 0; i < n; i++) {
      const from = i * EMF_MAX_VALUES;
      const to = from + EMF_MAX_VALUES;
      const hasLatency = latency.length > from;
      const hasDuration = duration.length > from;
      let line = `{"_aws":{"Timestamp":${now}${directives[i === 0 ? 1 : 0]![hasLatency ? 1 : 0]![hasDuration ? 1 : 0]}`;
      if (i === 0) for (const name of COUNT_METRICS) line += `,"${name}":${counts[name]}`;
      // One document (≤ 100 values) needs no copies of the lists.
      if (hasLatency) line += `,"${LATENCY_METRIC}":[${(n === 1 ? latency : latency.slice(from, to)).join(',')}]`;
      if (hasDuration) line += `,"${DURATION_METRIC}":[${(n === 1 ? duration : duration.slice(from, to)).join(',')}]`;
      lines.push(line + '}');
    }
    return lines;
  };
}

export function metricsMiddleware(options: MetricsOptions): MiddlewareObj {
  const emfLines = emfLineWriter(options);
  const flush = (request: BuslineRequest): void => {
    const state = invocationState(request);
    if (state.results.length === 0) return;
    const now = Date.now();
    const figures = batchFigures(state, now);
    for (const line of emfLines(figures, now)) options.sink(line);
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
