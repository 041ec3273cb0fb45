/**
 * DLQ with reason: records that can never succeed (malformed body, schema violation, a
 * NonRetryableError) and records that failed on each of their attempts (attempts/attempt-limit.ts)
 * are sent by the runtime to the subscription's DLQ, body intact, with message attributes saying
 * why, how many attempts failed and when; then they count as processed so the source queue does
 * not retry them. (The queue's redrive is only a safety net for what the runtime never saw end:
 * a crashed or timed-out invocation.)
 *
 * If the send fails (or no DLQ is configured) the record becomes a retry instead: it is never
 * reported processed unless the DLQ accepted it. The SQS client is loaded only when there is
 * something to send.
 */
import type { MiddlewareObj } from '@middy/core';
import type { SQSClient, SendMessageBatchRequestEntry, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { loadSqsModule } from '../aws-clients.ts';
import { DeadLetterSendError, toError } from '../errors.ts';
import { invocationState, type BuslineRequest, type RecordResult } from '../invocation.ts';
import type { JsonLogger } from '../logger.ts';
import { maskText } from '../pii-mask.ts';

/** Message attribute names on dead-lettered messages (SQS allows 10 per message). */
export const DLQ_ATTRIBUTES = {
  reason: 'busline.reason',
  errorName: 'busline.error.name',
  errorMessage: 'busline.error.message',
  subscription: 'busline.subscription',
  /** Failed attempts, counted by the runtime (not the SQS receive count). */
  attempt: 'busline.attempt',
  firstFailedAt: 'busline.firstFailedAt',
  /** The last failure: the one that sent the record here. */
  failedAt: 'busline.failedAt',
  topic: 'busline.topic',
  eventId: 'busline.eventId',
  sourceMessageId: 'busline.sourceMessageId',
} as const;

/** SQS attribute values share the 1 MB message limit with the body; keep the reason short. */
const MAX_ERROR_MESSAGE_CHARS = 4096;

export interface DlqOptions {
  readonly subscription: string;
  /** Resolved at construction: option > env BUSLINE_DLQ_URL. */
  readonly dlqUrl: string | undefined;
  readonly sqsClient: () => Promise<SQSClient>;
  readonly logger: JsonLogger;
}

/** The SendMessageBatch entry for one dead-lettered record. */
export function deadLetterEntry(result: RecordResult, index: number, subscription: string, fifo: boolean, now: Date): SendMessageBatchRequestEntry {
  const { inbound, outcome, record } = result;
  if (outcome.kind !== 'dead-letter') throw new Error('deadLetterEntry: record is not dead-lettered');
  const failures = result.failures ?? { attempts: 1, firstFailedAtMs: now.getTime(), lastFailedAtMs: now.getTime() };
  // Error names and messages may quote the record's data: its PII values are masked (pii-mask.ts).
  const mask = record?.piiMask;
  const str = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: mask ? maskText(value, mask) : value });
  const attributes: Record<string, MessageAttributeValue> = {
    [DLQ_ATTRIBUTES.reason]: str(outcome.reason),
    [DLQ_ATTRIBUTES.errorName]: str(outcome.error.name || 'Error'),
    [DLQ_ATTRIBUTES.errorMessage]: str((outcome.error.message || '(no message)').slice(0, MAX_ERROR_MESSAGE_CHARS)),
    [DLQ_ATTRIBUTES.subscription]: str(subscription),
    [DLQ_ATTRIBUTES.attempt]: { DataType: 'Number', StringValue: String(failures.attempts) },
    [DLQ_ATTRIBUTES.firstFailedAt]: str(new Date(failures.firstFailedAtMs).toISOString()),
    [DLQ_ATTRIBUTES.failedAt]: str(new Date(failures.lastFailedAtMs).toISOString()),
  };
  if (record) {
    attributes[DLQ_ATTRIBUTES.topic] = str(record.topic);
    attributes[DLQ_ATTRIBUTES.eventId] = str(record.eventId);
  }
  if (inbound.kind === 'sqs') attributes[DLQ_ATTRIBUTES.sourceMessageId] = str(inbound.messageId);
  const entry: SendMessageBatchRequestEntry = {
    Id: `r${index}`,
    // The original event, intact: the raw SQS body (even when it is not JSON), or the direct event.
    MessageBody: inbound.kind === 'sqs' ? inbound.body : JSON.stringify(inbound.event),
    MessageAttributes: attributes,
  };
  if (fifo) {
    entry.MessageGroupId = (inbound.kind === 'sqs' ? inbound.messageGroupId : undefined) ?? subscription;
    entry.MessageDeduplicationId = inbound.kind === 'sqs' ? inbound.messageId : (record?.eventBridgeId ?? `r${index}-${now.getTime()}`);
  }
  return entry;
}

export function dlqWithReasonMiddleware(options: DlqOptions): MiddlewareObj {
  return {
    name: 'busline-dlq-with-reason',
    after: async function sendDeadLetters(request) {
      const state = invocationState(request as BuslineRequest);
      const dead = state.results.filter((r) => r.outcome.kind === 'dead-letter' && !r.deadLetterSent);
      if (dead.length === 0) return; // the common case: no SQS client is loaded
      await sendToDlq(dead, options);
    },
  };
}

/** Sends dead-lettered records; those the DLQ did not accept become retries. */
export async function sendToDlq(dead: RecordResult[], options: DlqOptions): Promise<void> {
  const { dlqUrl, logger, subscription } = options;
  const demote = (result: RecordResult, why: string, cause?: unknown): void => {
    const original = result.outcome.kind === 'dead-letter' ? result.outcome.error : undefined;
    const error = new DeadLetterSendError(`could not send the record to the DLQ (${why}); it will be retried instead. Original failure: ${original?.name}: ${original?.message}`, { cause: cause ?? original });
    logger.error('dead-letter send failed', { error, messageId: result.inbound.kind === 'sqs' ? result.inbound.messageId : undefined });
    result.outcome = { kind: 'retry', error };
  };
  if (!dlqUrl) {
    for (const r of dead) demote(r, 'no DLQ configured: set BUSLINE_DLQ_URL or the dlqUrl option');
    return;
  }
  const fifo = dlqUrl.endsWith('.fifo');
  const now = new Date();
  let client: SQSClient;
  let SendMessageBatchCommand: Awaited<ReturnType<typeof loadSqsModule>>['SendMessageBatchCommand'];
  try {
    [client, { SendMessageBatchCommand }] = await Promise.all([options.sqsClient(), loadSqsModule()]);
  } catch (thrown) {
    for (const r of dead) demote(r, `the SQS client could not be loaded: ${toError(thrown).message}`, thrown);
    return;
  }
  for (let start = 0; start < dead.length; start += 10) {
    const group = dead.slice(start, start + 10);
    const entries = group.map((r, i) => deadLetterEntry(r, start + i, subscription, fifo, now));
    try {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
      const ok = new Set((out.Successful ?? []).map((s) => s.Id));
      const failures = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      group.forEach((r, i) => {
        const id = entries[i]!.Id!;
        if (ok.has(id)) {
          r.deadLetterSent = true;
        } else {
          const f = failures.get(id);
          demote(r, f ? `${f.Code}: ${f.Message ?? ''}` : 'no result for the entry');
        }
      });
    } catch (thrown) {
      for (const r of group) demote(r, toError(thrown).message, thrown);
    }
  }
}
