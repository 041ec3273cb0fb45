/**
 * The names of the CloudWatch metrics the runtime writes (EMF, middleware/metrics.ts): the
 * contract between the runtime and the constructs' metricXxx() methods, alarms and dashboard
 * (lib/constructs), which read exactly these. No AWS SDK, no aws-cdk-lib: both sides import it.
 */

/** The namespace when neither `metricsNamespace` nor BUSLINE_METRICS_NAMESPACE says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'Busline';

/** Every metric carries these dimensions: the flow's name and the subscription's name. */
export const METRIC_DIMENSIONS = ['Flow', 'Subscription'] as const;

/**
 * Counts per invocation (unit Count). Every record is counted in exactly one of Processed,
 * Duplicate, Retried (retried or never attempted) and DeadLettered, so their sum is the records
 * handled; Failed = records retried after an attempt + dead-lettered; Invalid ⊆ DeadLettered
 * (malformed or schema-invalid, never a handler error).
 */
export const COUNT_METRICS = ['Processed', 'Failed', 'Retried', 'DeadLettered', 'Invalid', 'Duplicate'] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

/** Per-record values (unit Milliseconds): publish → handled, and the user handler's own time. */
export const LATENCY_METRIC = 'EndToEndLatency';
export const DURATION_METRIC = 'HandlerDuration';
