/**
 * Busline's full runtime stack for the runtime-overhead bench: wrapHandler around a no-op
 * user handler with reserve-inventory's SubscriptionConfig and validators as the constructs
 * generate them; dedupe on the in-memory store double or the DynamoDB store.
 *
 * The runtime runs bundled and minified as the constructs ship it, not from its TypeScript
 * sources under tsx, which would add a naming helper call to every closure it creates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ValidatorTable } from '../../lib/runtime/index.ts';
import { bundleAsLambda } from '../lib/bundle.ts';
import { ROOT } from '../lib/machine.ts';
import { referenceSubscription, writeValidatorsModule } from './reference-flow.ts';

export type BuslineStore = { kind: 'memory' } | { kind: 'dynamodb'; tableName: string; client: DynamoDBClient };
export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

type RuntimeModule = typeof import('../../lib/runtime/index.ts') & typeof import('../../lib/runtime/dedupe/index.ts');

const WORK_DIR = join(ROOT, 'bench', '.tmp', 'runtime-overhead');
let runtime: Promise<RuntimeModule> | undefined;

/** lib/runtime (with the dedupe module's in-memory store) bundled once per process. */
function bundledRuntime(): Promise<RuntimeModule> {
  runtime ??= (async () => {
    mkdirSync(WORK_DIR, { recursive: true });
    const entry = join(WORK_DIR, 'runtime-entry.mjs');
    writeFileSync(
      entry,
      [
        `export { wrapHandler } from ${JSON.stringify(join(ROOT, 'lib/runtime/index.ts'))};`,
        `export { InMemoryDedupeStore } from ${JSON.stringify(join(ROOT, 'lib/runtime/dedupe/index.ts'))};`,
        '',
      ].join('\n'),
    );
    const out = join(WORK_DIR, 'runtime', 'index.mjs');
    bundleAsLambda(entry, out);
    return (await import(pathToFileURL(out).href)) as RuntimeModule;
  })();
  return runtime;
}

export async function buslineBatchHandler(store: BuslineStore): Promise<BatchHandler> {
  const sub = referenceSubscription('reserve-inventory');
  const file = writeValidatorsModule(WORK_DIR, sub.validatorsModule);
  const { validators } = (await import(pathToFileURL(file).href)) as { validators: ValidatorTable };
  const { wrapHandler, InMemoryDedupeStore } = await bundledRuntime();
  const noop = async (_data: unknown): Promise<void> => {};
  const handler = wrapHandler(noop, {
    config: sub.config,
    validators,
    dedupe: store.kind === 'memory' ? { store: new InMemoryDedupeStore() } : { tableName: store.tableName, client: store.client },
  });
  return handler as BatchHandler;
}
