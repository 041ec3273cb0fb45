/**
 * The contents of the subscriptions' dead-letter queues, read without receiving the messages
 * (nothing changes on the queue), each with the reason it is there.
 */
import type { InvocationFinishedRecord, JournalRecord, LocalApp, LocalSubscription, ReceivedMessage } from '../local/index.ts';
import { DLQ_ATTRIBUTES } from '../runtime/middleware/dlq-with-reason.ts';
import { lastLoggedError, readLogLine } from './log-lines.ts';

/** A message on a subscription's dead-letter queue. */
export interface DeadLetter {
  /** The subscription whose DLQ holds it. */
  readonly subscription: string;
  /**
   * Why it is there: `invalid: ValidationSchemaError: …` (and `malformed`, `non-retryable`) for
   * events the runtime sent at once, `failed 2 attempts; last error: Error: …` for events that
   * failed each of their attempts (sent by the runtime with reason `retries-exhausted`, or moved
   * by the queue's redrive safety net).
   */
  readonly reason: string;
  /** The EventBridge id of the event it carries, when it carries one. */
  readonly eventId?: string;
  /** `detail.metadata.id` of that event, when it has the Busline envelope. */
  readonly id?: string;
  /** The topic (detail-type) of that event. */
  readonly topic?: string;
  /** `detail.data` of that event (or its `detail` when it has no envelope). */
  readonly data?: unknown;
  /** The message body, parsed when it is JSON: the event, or for direct delivery Lambda's invocation record. */
  readonly body: unknown;
  /** The message's attributes by name (the runtime's `busline.*` reason attributes among them). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Failed attempts: the runtime's count when it sent the message, else the receive count at which the redrive moved it. */
  readonly attempts: number;
  /** The DLQ's message id. */
  readonly messageId: string;
}

interface CarriedEvent {
  readonly id?: unknown;
  readonly 'detail-type'?: unknown;
  readonly detail?: { readonly metadata?: { readonly id?: unknown }; readonly data?: unknown } & Record<string, unknown>;
}

/** Dead letters of one subscription (none when it has no DLQ), oldest first. */
export function deadLettersOf(app: LocalApp, subscription: LocalSubscription, records: readonly JournalRecord[]): DeadLetter[] {
  const dlq = subscription.deadLetterQueueName;
  if (!dlq) return [];
  return app.engine.peekMessages(dlq, Number.MAX_SAFE_INTEGER).map((m) => deadLetter(subscription, m, records));
}

function deadLetter(subscription: LocalSubscription, m: ReceivedMessage, records: readonly JournalRecord[]): DeadLetter {
  let body: unknown = m.Body;
  try {
    body = JSON.parse(m.Body);
  } catch {
    // not JSON: kept as text
  }
  // Direct delivery's on-failure destination receives Lambda's invocation record, the event in requestPayload.
  const event = (isObject(body) && isObject(body.requestPayload) ? body.requestPayload : body) as CarriedEvent;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  const eventId = isObject(event) && typeof event.id === 'string' ? event.id : undefined;
  const id = typeof event?.detail?.metadata?.id === 'string' ? event.detail.metadata.id : attributes[DLQ_ATTRIBUTES.eventId];
  const topic = typeof event?.['detail-type'] === 'string' ? event['detail-type'] : attributes[DLQ_ATTRIBUTES.topic];
  const receives = Number(m.Attributes.ApproximateReceiveCount ?? 1);
  const viaRuntime = attributes[DLQ_ATTRIBUTES.reason] !== undefined;
  const attempts = viaRuntime ? Number(attributes[DLQ_ATTRIBUTES.attempt] ?? 1) : redriveAttempts(records, subscription, m) ?? receives;
  return {
    subscription: subscription.name,
    reason: viaRuntime ? runtimeReason(attributes, attempts) : redriveReason(records, subscription, eventId, attempts, body),
    ...(eventId !== undefined ? { eventId } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(topic !== undefined ? { topic } : {}),
    ...(isObject(event) && isObject(event.detail) ? { data: 'data' in event.detail ? event.detail.data : event.detail } : {}),
    body, attributes, attempts, messageId: m.MessageId,
  };
}

/** `<reason>: <Error name>: <message>` from the attributes the runtime attaches; `failed N attempts; …` for retries-exhausted. */
function runtimeReason(attributes: Readonly<Record<string, string>>, attempts: number): string {
  const error = [attributes[DLQ_ATTRIBUTES.errorName], attributes[DLQ_ATTRIBUTES.errorMessage]].filter(Boolean).join(': ');
  const reason = attributes[DLQ_ATTRIBUTES.reason];
  if (reason === 'retries-exhausted') return failedAttempts(attempts, error || undefined);
  return `${reason}${error ? `: ${error}` : ''}`;
}

function failedAttempts(attempts: number, lastError: string | undefined): string {
  return `failed ${attempts} attempt${attempts === 1 ? '' : 's'}${lastError ? `; last error: ${lastError}` : ''}`;
}

/** The receive count the journal recorded when the source queue moved the message to its DLQ. */
function redriveAttempts(records: readonly JournalRecord[], subscription: LocalSubscription, m: ReceivedMessage): number | undefined {
  for (const r of records) {
    if (r.kind === 'delivery.dead-lettered' && r.deadLetterQueue === subscription.deadLetterQueueName && r.messageId === m.MessageId) return r.receiveCount;
  }
  return undefined;
}

/** `failed N attempts; last error: …`, the last error read from the subscription's invocations of the event. */
function redriveReason(records: readonly JournalRecord[], subscription: LocalSubscription, eventId: string | undefined, attempts: number, body: unknown): string {
  const finished = records.filter((r): r is InvocationFinishedRecord =>
    r.kind === 'invocation.finished' && r.functionName === subscription.functionName && eventId !== undefined && r.eventId === eventId);
  const last = finished.at(-1);
  const lastError = last
    ? lastLoggedError((last.logs ?? []).flatMap((l) => readLogLine(subscription.name, l) ?? [])) ?? last.error
    : isObject(body) && isObject(body.responsePayload) ? `${String(body.responsePayload.errorType)}: ${String(body.responsePayload.errorMessage)}` : undefined;
  return failedAttempts(attempts, lastError);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
