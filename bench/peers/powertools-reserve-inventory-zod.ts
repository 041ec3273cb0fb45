/**
 * The zod flavour of the Powertools reserve-inventory peer: the batch utility's parser
 * integration (record schema built once) instead of the validation utility; otherwise the
 * same idempotency, Logger, Tracer and effects.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import { OrderPlacedEventZod } from './order-schemas.ts';
import { ReserveInventoryEffects } from './reserve-inventory-effects.ts';

const RecordSchema = SqsRecordSchema.extend({ body: JSONStringified(OrderPlacedEventZod) });
type ParsedRecord = z.infer<typeof RecordSchema>;

const logger = new Logger({ serviceName: 'reserve-inventory' });
const tracer = new Tracer({ serviceName: 'reserve-inventory' });
const effects = new ReserveInventoryEffects(process.env.RESERVATIONS_TABLE ?? 'Reservations', process.env.EVENT_BUS_NAME ?? 'orders');
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency', awsSdkV3Client: effects.dynamo });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'body.detail.metadata.id' });
const processor = new BatchProcessor(EventType.SQS, { parser, schema: RecordSchema, logger });

const recordHandler = async (record: ParsedRecord): Promise<void> => {
  const event = record.body;
  const eventId = event.detail.metadata?.id ?? event.id;
  await effects.reserve({ orderId: event.detail.data.orderId, items: event.detail.data.items, eventId, correlationId: event.detail.metadata?.correlationId ?? eventId });
  logger.info('record processed', { topic: 'order.placed', eventId, outcome: 'success' });
};

const idempotentRecordHandler = makeIdempotent(recordHandler, { persistenceStore, config });

export const handler = middy(async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  return processPartialResponse(event, idempotentRecordHandler, processor, { context });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
