/**
 * A Powertools handler doing reserve-inventory's work, for the cold-start bench: the SQS
 * batch utility, idempotency on DynamoDB keyed by the envelope's metadata.id, the
 * validation utility with one shared Ajv (schema compiled once, at first use), Logger and
 * Tracer. Bundled like Busline's functions (minified ESM, @aws-sdk external).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { validate } from '@aws-lambda-powertools/validation';
import middy from '@middy/core';
import { Ajv } from 'ajv';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import orderPlacedSchema from '../../schemas/order.placed/v1.json' with { type: 'json' };
import { ReserveInventoryEffects, type OrderLine } from './reserve-inventory-effects.ts';

interface OrderPlacedEvent {
  readonly id: string;
  readonly detail: { readonly metadata?: { readonly id?: string; readonly correlationId?: string }; readonly data: { readonly orderId: string; readonly items: OrderLine[] } };
}

const logger = new Logger({ serviceName: 'reserve-inventory' });
const tracer = new Tracer({ serviceName: 'reserve-inventory' });
const ajv = new Ajv({ allErrors: true });
const effects = new ReserveInventoryEffects(process.env.RESERVATIONS_TABLE ?? 'Reservations', process.env.EVENT_BUS_NAME ?? 'orders');
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency', awsSdkV3Client: effects.dynamo });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).detail.metadata.id' });
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const event = JSON.parse(record.body) as OrderPlacedEvent;
  const data = validate({ payload: event.detail.data, schema: orderPlacedSchema, ajv }) as OrderPlacedEvent['detail']['data'];
  const eventId = event.detail.metadata?.id ?? event.id;
  await effects.reserve({ orderId: data.orderId, items: data.items, eventId, correlationId: event.detail.metadata?.correlationId ?? eventId });
  logger.info('record processed', { topic: 'order.placed', eventId, outcome: 'success' });
};

const idempotentRecordHandler = makeIdempotent(recordHandler, { persistenceStore, config });

export const handler = middy(async (event: SQSEvent, context: Context) => {
  config.registerLambdaContext(context);
  return processPartialResponse(event, idempotentRecordHandler, processor, { context });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
