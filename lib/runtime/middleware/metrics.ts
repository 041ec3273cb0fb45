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

export function emfDocument(state: InvocationState, options: MetricsOptions, now: number): Record<string, unknown> {
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
  const metrics = [
    ...COUNTS.map((Name) => ({ Name, Unit: 'Count' })),
    ...(latency.length ? [{ Name: 'EndToEndLatency', Unit: 'Milliseconds' }] : []),
    ...(duration.length ? [{ Name: 'HandlerDuration', Unit: 'Milliseconds' }] : []),
  ];
  return {
    _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [['Flow', 'Subscription']], Metrics: metrics }] },
    Flow: options.flow,
    Subscription: options.subscription,
    ...counts,
    ...(latency.length ? { EndToEndLatency: latency } : {}),
    ...(duration.length ? { HandlerDuration: duration } : {}),
  };
}

export function metricsMiddleware(options: MetricsOptions): MiddlewareObj {
  const flush = (request: BuslineRequest): void => {
    const state = invocationState(request);
    if (state.results.length === 0) return;
    const doc = emfDocument(state, options, Date.now());
    options.sink(JSON.stringify(doc));
    options.logger?.info('batch processed', {
      records: state.results.length,
      processed: doc.Processed,
      duplicate: doc.Duplicate,
      failed: doc.Failed,
      retried: doc.Retried,
      deadLettered: doc.DeadLettered,
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
