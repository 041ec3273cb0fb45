/**
 * The like-for-like Powertools reserve-inventory handler for the cold-start bench: the SQS
 * batch utility, idempotency on DynamoDB keyed by the envelope's metadata.id, the effects of
 * reserve-inventory, and what Busline does besides, no more: the body validated in Busline's
 * scope by `parse` (given by the entry, so each bundle carries only its own validator), Logger
 * at Busline's level (one line per batch; a record that succeeds at debug) and no Tracer.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ReserveInventoryEffects, type OrderLine } from './reserve-inventory-effects.ts';

/** What the handler reads of a validated body. */
export interface ScopedOrderPlaced {
  readonly id: string;
  readonly detail: { readonly metadata?: { readonly id?: unknown; readonly correlationId?: unknown }; readonly data: { readonly orderId: string; readonly items: readonly OrderLine[] } };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function likeBuslineHandler(parse: (body: unknown) => ScopedOrderPlaced): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const logger = new Logger({ serviceName: 'reserve-inventory', logLevel: 'INFO' });
  const effects = new ReserveInventoryEffects(process.env.RESERVATIONS_TABLE ?? 'Reservations', process.env.EVENT_BUS_NAME ?? 'orders');
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency', awsSdkV3Client: effects.dynamo });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).detail.metadata.id' });
  const processor = new BatchProcessor(EventType.SQS);

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const event = parse(JSON.parse(record.body));
    const eventId = text(event.detail.metadata?.id) ?? event.id;
    const data = event.detail.data;
    await effects.reserve({ orderId: data.orderId, items: data.items, eventId, correlationId: text(event.detail.metadata?.correlationId) ?? eventId });
    logger.debug('record processed', { topic: 'order.placed', eventId, outcome: 'success' });
  };
  const idempotentRecordHandler = makeIdempotent(recordHandler, { persistenceStore, config });

  return middy(async (event: SQSEvent, context: Context) => {
    config.registerLambdaContext(context);
    const response = await processPartialResponse(event, idempotentRecordHandler, processor, { context });
    logger.info('batch processed', { records: event.Records.length, failed: response.batchItemFailures.length });
    return response;
  }).use(injectLambdaContext(logger));
}
