/**
 * The middy peer of the runtime-overhead bench: @middy/core with event-normalizer (parses
 * each SQS body), @middy/validator with a schema compiled before the first event (as a
 * build step would), and sqs-partial-batch-failure. No dedupe, no logging, no tracing:
 * the lightest stack a team could assemble by hand.
 */
import middy from '@middy/core';
import eventNormalizer from '@middy/event-normalizer';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import validator from '@middy/validator';
import { Ajv } from 'ajv';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqsBatchJsonSchema } from './order-schemas.ts';

interface NormalizedRecord {
  readonly body: { readonly detail: { readonly data: unknown } };
}

export function createMiddyHandler(dataSchema: Record<string, unknown>): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const eventSchema = new Ajv({ allErrors: true, strict: true }).compile(sqsBatchJsonSchema(dataSchema));
  const noop = async (_data: unknown): Promise<void> => {};
  const base = async (event: { Records: NormalizedRecord[] }) =>
    Promise.allSettled(event.Records.map((record) => noop(record.body.detail.data)));
  const handler = middy(base)
    .use(eventNormalizer())
    .use(validator({ eventSchema }))
    .use(sqsPartialBatchFailure());
  return handler as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}
