/**
 * The batch actions' request checks and per-entry results (SendMessageBatch,
 * DeleteMessageBatch, ChangeMessageVisibilityBatch). Rules, by page of the SQS API reference:
 *
 * - "SendMessageBatch - Amazon Simple Queue Service": up to 10 messages; the maximum total
 *   payload (the sum of the individual lengths of all the batched messages) is 1 MiB
 *   (1,048,576 bytes; it was 256 KiB before SQS raised the message size), else
 *   BatchRequestTooLong. Each entry's result is reported on its own: check `Failed` even when
 *   the call succeeds.
 * - TooManyEntriesInBatchRequest (more than 10), EmptyBatchRequest (none),
 *   BatchEntryIdsNotDistinct (two entries with one Id), InvalidBatchEntryId (an Id that is not
 *   1–80 of alphanumerics, - and _): whole-request errors of all three batch actions.
 */
import { SqsError } from '../sqs/errors.ts';

type Entry = Record<string, unknown>;

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** SendMessageBatch: the sum of the entries' sizes (body plus message attributes). */
export const MAX_BATCH_PAYLOAD_BYTES = 1_048_576;

export function checkBatch(entries: unknown): Entry[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const entry of entries as Entry[]) {
    const id = entry?.['Id'];
    if (typeof id !== 'string' || !BATCH_ID.test(id)) {
      throw new SqsError('InvalidBatchEntryId', `A batch entry id can only contain alphanumeric characters, hyphens and underscores, and be at most 80 letters long: ${JSON.stringify(id)}.`);
    }
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Entry[];
}

/** SendMessageBatch's whole-request size check (after checkBatch). */
export function checkBatchPayload(entries: readonly Entry[]): void {
  let total = 0;
  for (const entry of entries) total += entrySize(entry);
  if (total > MAX_BATCH_PAYLOAD_BYTES) {
    throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_PAYLOAD_BYTES} bytes. You have sent ${total} bytes.`);
  }
}

function entrySize(entry: Entry): number {
  const body = entry['MessageBody'];
  let size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : 0;
  const attributes = entry['MessageAttributes'];
  if (attributes && typeof attributes === 'object') {
    for (const [name, raw] of Object.entries(attributes as Record<string, unknown>)) {
      const value = raw as { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown } | undefined;
      size += Buffer.byteLength(name);
      if (typeof value?.DataType === 'string') size += Buffer.byteLength(value.DataType);
      if (typeof value?.StringValue === 'string') size += Buffer.byteLength(value.StringValue);
      if (typeof value?.BinaryValue === 'string') size += Buffer.from(value.BinaryValue, 'base64').length;
    }
  }
  return size;
}

/**
 * Runs `each` on every entry of a batch request: as on SQS, one entry failing does not stop the
 * others; it is reported under `Failed` with its code, the rest under `Successful`.
 */
export function eachBatchEntry(entries: readonly Entry[], each: (entry: Entry) => object | void): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    const id = entry['Id'] as string;
    try {
      Successful.push({ Id: id, ...each(entry) });
    } catch (error) {
      Failed.push(failedEntry(id, error));
    }
  }
  return { Successful, Failed };
}

function failedEntry(id: string, error: unknown): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (error instanceof SqsError) return { Id: id, SenderFault: error.httpStatus < 500, Code: error.code, Message: error.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: (error as Error).message };
}
