/**
 * The rows of the runtime-overhead bench (bench/runtime-overhead.bench.ts), each built inside
 * its own process by bench/lib/row-worker.ts. `env.DYNAMO_ENDPOINT` is the dynalite the parent
 * serves; its tables are created by the parent (see ROW_TABLES).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { batchSource, lambdaContext, orderPlacedSchema } from '../fixtures/order-events.ts';
import { LOCAL_AWS } from '../lib/dynalite.ts';
import type { BatchRow } from '../lib/measure.ts';
import { createBareLoopHandler } from '../peers/bare-loop.ts';
import { MemoryPersistenceLayer } from '../peers/memory-persistence.ts';
import { createMiddyHandler } from '../peers/middy-batch.ts';
import { createPowertoolsHandler, type PowertoolsValidation } from '../peers/powertools-batch.ts';
import { buslineBatchHandler } from '../subjects/busline-batch.ts';

export type StoreKind = 'none' | 'memory' | 'dynalite';

export interface RowSpec {
  readonly key: string;
  readonly stack: string;
  readonly store: StoreKind;
}

/** The Powertools rows' extras that Busline's stack does not have (not like for like). */
const WITH_TRACER = 'logger (a line per record) + tracer';

export const ROWS: readonly RowSpec[] = [
  { key: 'bare', stack: 'Bare loop: JSON.parse + no-op', store: 'none' },
  { key: 'middy', stack: 'middy: event-normalizer + validator (precompiled) + sqs-partial-batch-failure', store: 'none' },
  { key: 'pt-zod-lfl', stack: 'Powertools, like for like: batch + zod (envelope shape + data) + idempotency + logger (a line per batch), no tracer', store: 'memory' },
  { key: 'pt-ajv-lfl', stack: 'Powertools, like for like: batch + validation (shared Ajv; envelope shape + data) + idempotency + logger (a line per batch), no tracer', store: 'memory' },
  { key: 'pt-zod', stack: `Powertools: batch + parser (zod, SQS record + EventBridge event) + idempotency + ${WITH_TRACER}`, store: 'memory' },
  { key: 'pt-zod-inner', stack: `Powertools: batch + parser (zod, innerSchema) + idempotency + ${WITH_TRACER}`, store: 'memory' },
  { key: 'pt-ajv', stack: `Powertools: batch + validation (shared Ajv, data) + idempotency + ${WITH_TRACER}`, store: 'memory' },
  { key: 'pt-val', stack: `Powertools: batch + validation (as documented, data) + idempotency + ${WITH_TRACER}`, store: 'memory' },
  { key: 'pt-zod-ddb', stack: `Powertools: batch + parser (zod, SQS record + EventBridge event) + idempotency + ${WITH_TRACER}`, store: 'dynalite' },
  { key: 'busline', stack: 'Busline: full stack (wrapHandler)', store: 'memory' },
  { key: 'busline-ddb', stack: 'Busline: full stack (wrapHandler)', store: 'dynalite' },
];

/** The dynalite table each DynamoDB row needs: [name, hash key]. */
export const ROW_TABLES: Readonly<Record<string, readonly [string, string]>> = {
  'pt-zod-ddb': ['pt-idempotency-pt-zod-ddb', 'id'],
  'busline-ddb': ['busline-dedupe', 'pk'],
};

const PT_VALIDATION: Record<string, PowertoolsValidation> = {
  'pt-zod-lfl': 'zod-envelope-data',
  'pt-ajv-lfl': 'validation-utility-envelope-data',
  'pt-zod': 'zod-parser',
  'pt-zod-inner': 'zod-parser-inner-schema',
  'pt-ajv': 'validation-utility-shared-ajv',
  'pt-val': 'validation-utility',
  'pt-zod-ddb': 'zod-parser',
};

export const contextOf = (): Context => lambdaContext();

export async function createRow(key: string, env: Readonly<Record<string, string>>): Promise<BatchRow> {
  const spec = ROWS.find((r) => r.key === key);
  if (!spec) throw new Error(`no runtime-overhead row ${key}: the rows are ${ROWS.map((r) => r.key).join(', ')}`);
  const dynamo = (): DynamoDBClient => {
    if (!env.DYNAMO_ENDPOINT) throw new Error(`row ${key} needs env.DYNAMO_ENDPOINT (the parent's dynalite)`);
    return new DynamoDBClient({ ...LOCAL_AWS, endpoint: env.DYNAMO_ENDPOINT });
  };
  const row = (handler: BatchRow['handler']): BatchRow => ({ label: key, next: batchSource(key), handler });
  if (key === 'bare') return row(createBareLoopHandler());
  if (key === 'middy') return row(createMiddyHandler(orderPlacedSchema()));
  if (key === 'busline') return row(await buslineBatchHandler({ kind: 'memory' }));
  if (key === 'busline-ddb') return row(await buslineBatchHandler({ kind: 'dynamodb', tableName: ROW_TABLES[key]![0], client: dynamo() }));
  const persistenceStore = spec.store === 'dynalite' ? new DynamoDBPersistenceLayer({ tableName: ROW_TABLES[key]![0], awsSdkV3Client: dynamo() }) : new MemoryPersistenceLayer();
  return row(createPowertoolsHandler({ validation: PT_VALIDATION[key]!, persistenceStore, dataSchema: orderPlacedSchema(), likeBusline: key.endsWith('-lfl') }));
}
