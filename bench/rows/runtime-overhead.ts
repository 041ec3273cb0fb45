/**
 * The rows of the runtime-overhead bench (bench/runtime-overhead.bench.ts), each built inside
 * its own process by bench/lib/row-worker.ts. `env.DYNAMO_ENDPOINT` is the dynalite the parent
 * serves; its tables are created by the parent (see ROW_TABLES).
 *
 * Each row imports only its own stack (createRow's dynamic imports), so a row's process holds
 * no other stack's code: importing the Powertools Tracer loads aws-xray-sdk-core, whose
 * cls-hooked enables async_hooks for the whole process at import, and every promise of every
 * stack in that process then pays the hooks (measured: Busline's row +45% CPU per event, the
 * middy and bare rows, which make few promises, unchanged).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { batchSource, lambdaContext, orderPlacedSchema } from '../fixtures/order-events.ts';
import { LOCAL_AWS } from '../lib/dynalite.ts';
import type { BatchRow } from '../lib/measure.ts';
import type { PowertoolsValidation } from '../peers/powertools-batch.ts';

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
  const dynamo = async (): Promise<DynamoDBClient> => {
    if (!env.DYNAMO_ENDPOINT) throw new Error(`row ${key} needs env.DYNAMO_ENDPOINT (the parent's dynalite)`);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    return new DynamoDBClient({ ...LOCAL_AWS, endpoint: env.DYNAMO_ENDPOINT });
  };
  const row = (handler: BatchRow['handler']): BatchRow => ({ label: key, next: batchSource(key), handler });
  if (key === 'bare') return row((await import('../peers/bare-loop.ts')).createBareLoopHandler());
  if (key === 'middy') return row((await import('../peers/middy-batch.ts')).createMiddyHandler(orderPlacedSchema()));
  if (key === 'busline' || key === 'busline-ddb') {
    const { buslineBatchHandler } = await import('../subjects/busline-batch.ts');
    return row(await buslineBatchHandler(key === 'busline' ? { kind: 'memory' } : { kind: 'dynamodb', tableName: ROW_TABLES[key]![0], client: await dynamo() }));
  }
  const persistenceStore = spec.store === 'dynalite'
    ? new (await import('@aws-lambda-powertools/idempotency/dynamodb')).DynamoDBPersistenceLayer({ tableName: ROW_TABLES[key]![0], awsSdkV3Client: await dynamo() })
    : new (await import('../peers/memory-persistence.ts')).MemoryPersistenceLayer();
  const { createPowertoolsHandler } = await import('../peers/powertools-batch.ts');
  return row(createPowertoolsHandler({ validation: PT_VALIDATION[key]!, persistenceStore, dataSchema: orderPlacedSchema(), likeBusline: key.endsWith('-lfl') }));
}
