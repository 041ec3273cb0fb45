/**
 * The floor: a loop that JSON-parses each SQS body and calls a no-op with `data`. No
 * validation, dedupe, logging or failure reporting; what any stack costs is measured
 * against this.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export function createBareLoopHandler(): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const noop = async (_data: unknown): Promise<void> => {};
  return async (event) => {
    for (const record of event.Records) {
      const parsed = JSON.parse(record.body) as { detail: { data: unknown } };
      await noop(parsed.detail.data);
    }
    return { batchItemFailures: [] };
  };
}
