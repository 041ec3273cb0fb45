/**
 * Envelope middleware: turns the Lambda event into records, and each record into the
 * event the steps and the handler see.
 *
 * Two shapes arrive (decided per invocation, by shape, not by configuration, so a function
 * wired by hand still works):
 *   - an SQS batch (`Records[].eventSource === 'aws:sqs'`) whose bodies are EventBridge events:
 *     queue and ordered delivery;
 *   - a bare EventBridge event (`detail-type` + `detail`): direct rule → Lambda delivery.
 * Inside an EventBridge event, `detail = { metadata, data }` is unwrapped; events from outside
 * the flow (a detail that is not an envelope, on a topic with no schema) pass through raw.
 *
 * A body that is not JSON, or not an EventBridge event, is a record that can never succeed:
 * decoding rejects it with EnvelopeMalformedBodyError (→ DLQ with reason), it never throws.
 */
import type { SQSRecord } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import type { EventBridgeEvent, EventMetadata } from '../envelope.ts';
import { EnvelopeMalformedBodyError, EnvelopeUnknownEventError } from '../errors.ts';
import { invocationState, type BuslineRequest } from '../invocation.ts';
import type { RecordTransport } from '../record-pipeline.ts';
import type { Building } from '../building.ts';

/** One record as it came in, before decoding. */
export type InboundRecord =
  | {
      readonly kind: 'sqs';
      readonly messageId: string;
      readonly receiptHandle: string;
      /** The raw body, sent to the DLQ intact. */
      readonly body: string;
      readonly receiveCount: number;
      /** ApproximateFirstReceiveTimestamp (ms since epoch). */
      readonly firstReceivedAt: number;
      readonly eventSourceArn: string;
      readonly messageGroupId?: string;
      readonly transport?: RecordTransport;
    }
  | {
      readonly kind: 'direct';
      readonly event: unknown;
      readonly receivedAt: number;
      /** The invocation's request id: Lambda's retries of an asynchronous invoke keep it. */
      readonly requestId?: string;
      readonly transport?: RecordTransport;
    };

type SqsInboundRecord = Extract<InboundRecord, { kind: 'sqs' }>;

export type InvocationKind = 'sqs-batch' | 'direct';

/** What decoding gives the pipeline for one record. */
export interface DecodedEvent {
  readonly event: EventBridgeEvent<unknown>;
  readonly topic: string;
  readonly enveloped: boolean;
  readonly metadata: EventMetadata;
  readonly data: unknown;
  /** metadata.id, else the EventBridge id. */
  readonly eventId: string;
  readonly correlationId: string;
}

export type DecodeResult = { readonly ok: true; readonly decoded: DecodedEvent } | { readonly ok: false; readonly error: EnvelopeMalformedBodyError };

const EMPTY_METADATA: EventMetadata = Object.freeze({});

/** Splits a Lambda event into inbound records; throws EnvelopeUnknownEventError for other shapes. */
export function readInvocation(event: unknown, now: number, requestId?: string): { kind: InvocationKind; records: InboundRecord[] } {
  if (isObject(event) && Array.isArray(event.Records)) {
    const records: InboundRecord[] = [];
    for (const r of event.Records as unknown[]) {
      if (!isObject(r) || r.eventSource !== 'aws:sqs' || typeof r.messageId !== 'string' || r.messageId === '') {
        throw new EnvelopeUnknownEventError(
          `the event has Records that are not SQS messages (eventSource ${JSON.stringify(isObject(r) ? r.eventSource : r)}): a Busline handler takes SQS batches and EventBridge events`,
        );
      }
      records.push(fromSqsRecord(r as unknown as SQSRecord, now));
    }
    return { kind: 'sqs-batch', records };
  }
  if (isEventBridgeEvent(event)) {
    // Lambda sets _X_AMZN_TRACE_ID per invocation; an asynchronous invoke by an EventBridge rule
    // carries the trace of the event there.
    const traceHeader = process.env._X_AMZN_TRACE_ID;
    return {
      kind: 'direct',
      records: [{ kind: 'direct', event, receivedAt: now, ...(requestId !== undefined ? { requestId } : {}), ...(traceHeader ? { transport: { traceHeader } } : {}) }],
    };
  }
  throw new EnvelopeUnknownEventError(
    'the event is neither an SQS batch ({ Records }) nor an EventBridge event (detail-type, detail): wire the function to a Busline subscription\'s queue or rule',
  );
}

function fromSqsRecord(r: SQSRecord, now: number): InboundRecord {
  const attributes = r.attributes ?? {};
  const receiveCount = Number(attributes.ApproximateReceiveCount);
  const firstReceivedAt = Number(attributes.ApproximateFirstReceiveTimestamp);
  const sentAt = Number(attributes.SentTimestamp);
  const traceHeader = (attributes as { AWSTraceHeader?: unknown }).AWSTraceHeader;
  // Optional members set only when present (not with conditional spreads, which make and copy a
  // throwaway object each, for every record of every batch).
  const transport: { queueArn: string; sentAt?: number; traceHeader?: string } = { queueArn: r.eventSourceARN };
  if (Number.isFinite(sentAt) && sentAt > 0) transport.sentAt = sentAt;
  if (typeof traceHeader === 'string' && traceHeader) transport.traceHeader = traceHeader;
  const inbound: Building<SqsInboundRecord> = {
    kind: 'sqs',
    messageId: r.messageId,
    receiptHandle: r.receiptHandle,
    body: typeof r.body === 'string' ? r.body : '',
    receiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
    firstReceivedAt: Number.isFinite(firstReceivedAt) && firstReceivedAt > 0 ? firstReceivedAt : now,
    eventSourceArn: r.eventSourceARN,
    transport,
  };
  if (attributes.MessageGroupId) inbound.messageGroupId = attributes.MessageGroupId;
  return inbound;
}

/** Parses and unwraps one record. `flowTopics` are topics with a schema: they must be enveloped. */
export function decodeRecord(inbound: InboundRecord, flowTopics: ReadonlySet<string>): DecodeResult {
  let event: unknown;
  if (inbound.kind === 'sqs') {
    try {
      event = JSON.parse(inbound.body);
    } catch (err) {
      return malformed(`SQS message ${inbound.messageId} has a body that is not JSON (${(err as Error).message}); expected an EventBridge event delivered by a rule`);
    }
  } else {
    event = inbound.event;
  }
  if (!isEventBridgeEvent(event)) {
    return malformed('the message body is JSON but not an EventBridge event (needs string id, detail-type and source, and a detail)');
  }
  const topic = event['detail-type'];
  const detail = event.detail;
  if (isEnvelope(detail)) {
    const metadata = detail.metadata ?? EMPTY_METADATA;
    const eventId = nonEmptyString(metadata.id) ?? event.id;
    return {
      ok: true,
      decoded: {
        event,
        topic,
        enveloped: true,
        metadata,
        data: detail.data,
        eventId,
        correlationId: nonEmptyString(metadata.correlationId) ?? eventId,
      },
    };
  }
  if (flowTopics.has(topic)) {
    return malformed(`event ${event.id} of topic ${topic} has a detail that is not a Busline envelope { metadata, data }: publish it with ctx.publish or createPublisher`);
  }
  return { ok: true, decoded: { event, topic, enveloped: false, metadata: EMPTY_METADATA, data: detail, eventId: event.id, correlationId: event.id } };
}

function malformed(message: string): DecodeResult {
  return { ok: false, error: new EnvelopeMalformedBodyError(message) };
}

/** Invocation-level middleware: reads the records into the invocation state. */
export function envelopeMiddleware(): MiddlewareObj {
  return {
    name: 'busline-envelope',
    before: function envelopeBefore(request) {
      const state = invocationState(request as BuslineRequest);
      const { kind, records } = readInvocation(request.event, Date.now(), (request.context as { awsRequestId?: string } | undefined)?.awsRequestId);
      state.kind = kind;
      state.records = records;
    },
  };
}

function isEventBridgeEvent(value: unknown): value is EventBridgeEvent<unknown> {
  return isObject(value) && typeof value.id === 'string' && typeof value['detail-type'] === 'string' && typeof value.source === 'string' && 'detail' in value;
}

function isEnvelope(detail: unknown): detail is { metadata?: EventMetadata; data: unknown } {
  if (!isObject(detail) || !('data' in detail)) return false;
  for (const key in detail) if (key !== 'data' && key !== 'metadata') return false;
  return detail.metadata === undefined || isObject(detail.metadata);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
