/**
 * Reads a handler's response under `FunctionResponseTypes: ["ReportBatchItemFailures"]` the
 * way Lambda does: a null/empty response or an empty/null `batchItemFailures` is full
 * success; an entry with an empty or null `itemIdentifier`, a wrong key, or an id that is not
 * in the batch makes the response malformed, and a malformed response fails the whole batch.
 */
export type BatchVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedMessageIds: readonly string[] }
  | { readonly kind: 'malformed'; readonly reason: string };

export function readBatchResponse(response: unknown, batchMessageIds: readonly string[]): BatchVerdict {
  if (response === null || response === undefined) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'malformed', reason: `the response ${JSON.stringify(response)} is not a batch response object` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'malformed', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const inBatch = new Set(batchMessageIds);
  const failed: string[] = [];
  for (const entry of failures) {
    const id = entry !== null && typeof entry === 'object' ? (entry as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'malformed', reason: `batchItemFailures entry ${JSON.stringify(entry)} has no itemIdentifier` };
    }
    if (!inBatch.has(id)) return { kind: 'malformed', reason: `itemIdentifier ${id} is not a message of this batch` };
    failed.push(id);
  }
  return { kind: 'partial', failedMessageIds: failed };
}
