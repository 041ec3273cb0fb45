/**
 * Reading one message of a subscription's dead-letter queue: which kind of failure put it
 * there, the original event it carries, why it failed, after how many attempts, and the
 * history of earlier redrives. The kinds, told apart by their shape (unknown attributes are
 * ignored, so senders may add more):
 *
 * | kind                 | put there by                                   | event in        | reason from |
 * |----------------------|------------------------------------------------|-----------------|-------------|
 * | `lambda-destination` | Lambda, after an async invoke's retries (direct delivery) | body `requestPayload` | `requestContext.condition`, `responsePayload` |
 * | `rule-target`        | EventBridge, when the rule could not deliver    | body            | `ERROR_CODE`, `ERROR_MESSAGE` attributes |
 * | `runtime`            | the Busline runtime (schema violation, NonRetryableError, …) | body | `busline.reason` attributes |
 * | `sqs-redrive`        | SQS, after maxReceiveCount receives             | body            | the receive count |
 * | `unknown`            | anything else                                   | body, if JSON   | — |
 */
import type { Message } from '@aws-sdk/client-sqs';

export type DeadLetterKind = 'lambda-destination' | 'rule-target' | 'runtime' | 'sqs-redrive' | 'unknown';

/** The top-level event field a redrive writes its history into (next to EventBridge's own `replay-name`). */
export const REDRIVE_HISTORY_FIELD = 'busline-redrive';

/** One failure a redrive sent back for another try. */
export interface RedriveHistoryEntry {
  readonly redrivenAt: string;
  readonly kind: DeadLetterKind;
  readonly reason: string;
  readonly attempts?: number;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly kind: DeadLetterKind;
  /** The original event (undefined when the body is not a JSON object). */
  readonly event?: Record<string, unknown>;
  readonly reason: string;
  readonly attempts?: number;
  /** Earlier redrives of this event, oldest first. */
  readonly history: readonly RedriveHistoryEntry[];
  /** Every message attribute, as strings. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt?: Date;
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text ?? '');
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function count(text: unknown): number | undefined {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) ? n : undefined;
}

export function parseDeadLetter(message: Message): DeadLetter {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.MessageAttributes ?? {})) if (v.StringValue !== undefined) attributes[k] = v.StringValue;
  const body = jsonObject(message.Body);
  const system = message.Attributes ?? {};
  const sent = count(system.SentTimestamp);
  const common = { messageId: message.MessageId ?? '', attributes, ...(sent !== undefined ? { sentAt: new Date(sent) } : {}) };

  let letter: Omit<DeadLetter, 'history' | 'messageId' | 'attributes' | 'sentAt'>;
  const context = body?.requestContext as { condition?: unknown; approximateInvokeCount?: unknown } | undefined;
  if (body && context && typeof context === 'object' && 'requestPayload' in body) {
    const response = body.responsePayload as { errorType?: unknown; errorMessage?: unknown } | null | undefined;
    const error = response && typeof response === 'object' && response.errorMessage !== undefined ? `: ${String(response.errorType ?? 'Error')}: ${String(response.errorMessage)}` : '';
    const event = jsonObject(JSON.stringify(body.requestPayload ?? null));
    const attempts = count(context.approximateInvokeCount);
    letter = { kind: 'lambda-destination', ...(event ? { event } : {}), reason: `${String(context.condition ?? 'failed')}${error}`, ...(attempts !== undefined ? { attempts } : {}) };
  } else if (attributes.RULE_ARN !== undefined || attributes.ERROR_CODE !== undefined) {
    const attempts = count(attributes.RETRY_ATTEMPTS);
    letter = {
      kind: 'rule-target', ...(body ? { event: body } : {}),
      reason: `${attributes.ERROR_CODE ?? 'delivery failed'}${attributes.ERROR_MESSAGE ? `: ${attributes.ERROR_MESSAGE}` : ''}`,
      ...(attempts !== undefined ? { attempts: attempts + 1 } : {}),
    };
  } else if (attributes['busline.reason'] !== undefined) {
    const error = attributes['busline.error.message'] !== undefined ? ` (${attributes['busline.error.name'] ?? 'Error'}: ${attributes['busline.error.message']})` : '';
    const attempts = count(attributes['busline.attempt']);
    letter = { kind: 'runtime', ...(body ? { event: body } : {}), reason: `${attributes['busline.reason']}${error}`, ...(attempts !== undefined ? { attempts } : {}) };
  } else if (system.DeadLetterQueueSourceArn !== undefined) {
    const attempts = count(system.ApproximateReceiveCount);
    letter = { kind: 'sqs-redrive', ...(body ? { event: body } : {}), reason: `received ${attempts ?? 'too many'} time(s) from ${system.DeadLetterQueueSourceArn} without being deleted`, ...(attempts !== undefined ? { attempts } : {}) };
  } else {
    letter = { kind: 'unknown', ...(body ? { event: body } : {}), reason: '(no reason recorded)' };
  }
  return { ...common, ...letter, history: historyOf(letter.event) };
}

function historyOf(event: Record<string, unknown> | undefined): RedriveHistoryEntry[] {
  const h = event?.[REDRIVE_HISTORY_FIELD];
  return Array.isArray(h) ? h.filter((e): e is RedriveHistoryEntry => e !== null && typeof e === 'object' && typeof (e as RedriveHistoryEntry).reason === 'string') : [];
}

/**
 * The event to send back: the original, identity untouched (`id`, `detail.metadata.id`, so
 * dedupe holds), with this failure appended to its redrive history.
 */
export function eventToRedrive(letter: DeadLetter, now: Date): Record<string, unknown> {
  if (!letter.event) throw new Error(`message ${letter.messageId} carries no JSON event to redrive`);
  const entry: RedriveHistoryEntry = {
    redrivenAt: now.toISOString(), kind: letter.kind, reason: letter.reason,
    ...(letter.attempts !== undefined ? { attempts: letter.attempts } : {}),
  };
  return { ...letter.event, [REDRIVE_HISTORY_FIELD]: [...letter.history, entry] };
}
