/**
 * Busline's full runtime stack for the runtime-overhead bench: wrapHandler around a no-op
 * user handler with reserve-inventory's SubscriptionConfig and validators as the constructs
 * generate them; dedupe on the in-memory store double or the DynamoDB store.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { InMemoryDedupeStore } from '../../lib/runtime/dedupe/index.ts';
import { wrapHandler, type ValidatorTable } from '../../lib/runtime/index.ts';
import { ROOT } from '../lib/machine.ts';
import { referenceSubscription, writeValidatorsModule } from './reference-flow.ts';

export type BuslineStore = { kind: 'memory' } | { kind: 'dynamodb'; tableName: string; client: DynamoDBClient };
export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export async function buslineBatchHandler(store: BuslineStore): Promise<BatchHandler> {
  const sub = referenceSubscription('reserve-inventory');
  const file = writeValidatorsModule(join(ROOT, 'bench', '.tmp', 'runtime-overhead'), sub.validatorsModule);
  const { validators } = (await import(pathToFileURL(file).href)) as { validators: ValidatorTable };
  const noop = async (_data: unknown): Promise<void> => {};
  const handler = wrapHandler(noop, {
    config: sub.config,
    validators,
    dedupe: store.kind === 'memory' ? { store: new InMemoryDedupeStore() } : { tableName: store.tableName, client: store.client },
  });
  return handler as BatchHandler;
}
