/**
 * The Powertools peers of the runtime-overhead bench, built the way Powertools' docs show:
 * BatchProcessor + processPartialResponse, each record made idempotent with makeIdempotent
 * (key: the envelope's metadata.id, the same key Busline uses), one structured log line per
 * record outcome (Busline writes one too), and the Logger and Tracer middy middlewares on
 * the handler. Validation comes in the three forms a team would pick from:
 * - 'zod-parser': the batch utility's parser integration with the record schema built once
 *   (SqsRecordSchema extended with a JSON-stringified body of the event schema);
 * - 'zod-parser-inner-schema': the same integration given only the body schema
 *   (`innerSchema` + `transformer: 'json'`), which makes Powertools extend the record
 *   schema again for every record;
 * - 'validation-utility': @aws-lambda-powertools/validation's validate() as documented,
 *   which builds a new Ajv and compiles the schema on every call;
 * - 'validation-utility-shared-ajv': the same with one Ajv instance passed in, so ajv's own
 *   cache compiles the schema once;
 * - 'zod-envelope-data' and 'validation-utility-envelope-data': the scope Busline validates,
 *   no more: the body is an EventBridge event (string id, detail-type, source) whose detail is
 *   the envelope { metadata?, data } and whose data matches the topic's schema; not the SQS
 *   record's own fields nor the rest of the EventBridge event.
 * Like for like with Busline (`likeBusline`): no Tracer, and Logger at Busline's level: one
 * line per batch at info, a record that succeeds logged at debug (so not written at info).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { validate } from '@aws-lambda-powertools/validation';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import middy from '@middy/core';
import { Ajv } from 'ajv';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { envelopeJsonSchema } from './order-envelope-json-schema.ts';
import { OrderPlacedEventZod } from './order-schemas.ts';
import { OrderPlacedScopeZod } from './order-scope-zod.ts';

export type PowertoolsValidation =
  | 'zod-parser'
  | 'zod-parser-inner-schema'
  | 'validation-utility'
  | 'validation-utility-shared-ajv'
  | 'zod-envelope-data'
  | 'validation-utility-envelope-data';

export interface PowertoolsBatchOptions {
  readonly validation: PowertoolsValidation;
  readonly persistenceStore: BasePersistenceLayer;
  /** JSON Schema of `data`, for the validation utility variants. */
  readonly dataSchema: Record<string, unknown>;
  /** No Tracer, and Busline's log level: a line per batch, success per record at debug. @default false */
  readonly likeBusline?: boolean;
}

type OrderPlacedEvent = z.infer<typeof OrderPlacedEventZod>;
/** What every variant reads of the event: the envelope's metadata and the event id. */
type ScopedEvent = Pick<OrderPlacedEvent, 'id' | 'detail-type'> & { detail: { metadata?: { id?: string; correlationId?: string } } };
type ParsedSqsRecord = Omit<SQSRecord, 'body'> & { body: OrderPlacedEvent };

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createPowertoolsHandler(options: PowertoolsBatchOptions): BatchHandler {
  const likeBusline = options.likeBusline ?? false;
  const logger = new Logger({ serviceName: 'reserve-inventory', logLevel: 'INFO' });
  const noop = async (_data: unknown): Promise<void> => {};
  const logRecord = likeBusline ? logger.debug.bind(logger) : logger.info.bind(logger);
  const logOutcome = (event: ScopedEvent, started: number) =>
    logRecord('record processed', {
      topic: event['detail-type'],
      eventId: event.detail.metadata?.id ?? event.id,
      correlationId: event.detail.metadata?.correlationId ?? event.id,
      outcome: 'success',
      durationMs: performance.now() - started,
    });

  let processor: BatchProcessor;
  let recordHandler: (record: never) => Promise<void>;
  let eventKeyJmesPath: string;
  if (options.validation === 'zod-parser' || options.validation === 'zod-parser-inner-schema') {
    processor =
      options.validation === 'zod-parser'
        ? new BatchProcessor(EventType.SQS, { parser, schema: SqsRecordSchema.extend({ body: JSONStringified(OrderPlacedEventZod) }), logger })
        : new BatchProcessor(EventType.SQS, { parser, innerSchema: OrderPlacedEventZod, transformer: 'json', logger });
    eventKeyJmesPath = 'body.detail.metadata.id';
    recordHandler = async (record: ParsedSqsRecord) => {
      const started = performance.now();
      await noop(record.body.detail.data);
      logOutcome(record.body, started);
    };
  } else if (options.validation === 'zod-envelope-data') {
    processor = new BatchProcessor(EventType.SQS);
    eventKeyJmesPath = 'powertools_json(body).detail.metadata.id';
    recordHandler = async (record: SQSRecord) => {
      const started = performance.now();
      const event = OrderPlacedScopeZod.parse(JSON.parse(record.body));
      await noop(event.detail.data);
      logOutcome(event, started);
    };
  } else if (options.validation === 'validation-utility-envelope-data') {
    processor = new BatchProcessor(EventType.SQS);
    eventKeyJmesPath = 'powertools_json(body).detail.metadata.id';
    const ajv = new Ajv({ allErrors: true });
    const schema = envelopeJsonSchema(options.dataSchema);
    recordHandler = async (record: SQSRecord) => {
      const started = performance.now();
      const event = validate({ payload: JSON.parse(record.body), schema, ajv }) as OrderPlacedEvent;
      await noop(event.detail.data);
      logOutcome(event, started);
    };
  } else {
    processor = new BatchProcessor(EventType.SQS);
    eventKeyJmesPath = 'powertools_json(body).detail.metadata.id';
    const ajv = options.validation === 'validation-utility-shared-ajv' ? new Ajv({ allErrors: true }) : undefined;
    const schema = options.dataSchema;
    recordHandler = async (record: SQSRecord) => {
      const started = performance.now();
      const event = JSON.parse(record.body) as OrderPlacedEvent;
      const data = validate({ payload: event.detail.data, schema, ...(ajv ? { ajv } : {}) });
      await noop(data);
      logOutcome(event, started);
    };
  }

  const config = new IdempotencyConfig({ eventKeyJmesPath });
  const idempotentRecordHandler = makeIdempotent(recordHandler, { persistenceStore: options.persistenceStore, config });
  const base = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    const response = await processPartialResponse(event, idempotentRecordHandler, processor, { context });
    if (likeBusline) logger.info('batch processed', { records: event.Records.length, failed: response.batchItemFailures.length });
    return response;
  };
  if (likeBusline) return middy(base).use(injectLambdaContext(logger)) as unknown as BatchHandler;
  const tracer = new Tracer({ serviceName: 'reserve-inventory' });
  return middy(base).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger)) as unknown as BatchHandler;
}
