/**
 * The Busline event envelope. Topics declared in a flow carry
 * `detail = { metadata, data }`: `data` is the business payload validated by the
 * topic's schema, `metadata` is what the framework needs. Every metadata field is
 * optional on the way in; the runtime fills what a publisher left out.
 */
export interface EventMetadata {
  /** Producer-assigned id, stable across producer retries; the default dedupe key. */
  readonly id?: string;
  readonly correlationId?: string;
  /** Id (metadata.id) of the event whose handling caused this one. */
  readonly causationId?: string;
  readonly schemaVersion?: number;
  /** ISO-8601 time the producer published the event. */
  readonly publishedAt?: string;
  /** W3C trace context of the publishing span. */
  readonly traceparent?: string;
}

export interface EnvelopeDetail<TData = unknown> {
  readonly metadata?: EventMetadata;
  readonly data: TData;
}

/** An EventBridge event as delivered to targets (rule → SQS body, rule → Lambda payload). */
export interface EventBridgeEvent<TDetail = unknown> {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: TDetail;
  readonly 'replay-name'?: string;
}
