/**
 * Issue 8, item 1: per-event runtime overhead. The same SQS batches (10 EventBridge
 * events of the reference order.placed topic, 1–2 KB each) through each stack with a
 * no-op handler; µs per event, median over interleaved rounds with the IQR.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BenchSection } from './section.ts';
import { batchSource, BATCH_SIZE, lambdaContext, orderPlacedSchema, ORDER_PLACED_SCHEMA_FILE } from './fixtures/order-events.ts';
import { startDynalite, type LocalDynamo } from './lib/dynalite.ts';
import { measureRows, type BatchRow, type RowResult } from './lib/measure.ts';
import { formatNumber, formatRatio, formatSummary } from './lib/stats.ts';
import { relative } from 'node:path';
import { ROOT } from './lib/machine.ts';
import { createBareLoopHandler } from './peers/bare-loop.ts';
import { MemoryPersistenceLayer } from './peers/memory-persistence.ts';
import { createMiddyHandler } from './peers/middy-batch.ts';
import { createPowertoolsHandler, type PowertoolsValidation } from './peers/powertools-batch.ts';
import { buslineBatchHandler } from './subjects/busline-batch.ts';

const progress = (m: string) => process.stderr.write(`[bench] runtime-overhead: ${m}\n`);

type StoreKind = 'none' | 'memory' | 'dynalite';

interface Row extends BatchRow {
  readonly stack: string;
  readonly store: StoreKind;
  readonly key: string;
}

const STORE_LABEL: Record<StoreKind, string> = {
  none: '—',
  memory: 'in-memory',
  dynalite: 'DynamoDB (dynalite, over HTTP)',
};

async function powertoolsRow(key: string, stack: string, validation: PowertoolsValidation, store: StoreKind, dynamo: LocalDynamo): Promise<Row> {
  const dataSchema = orderPlacedSchema();
  let persistenceStore;
  if (store === 'dynalite') {
    const tableName = `pt-idempotency-${key}`;
    await dynamo.createTable(tableName, 'id');
    persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamo.client() });
  } else {
    persistenceStore = new MemoryPersistenceLayer();
  }
  return { key, stack, store, label: key, next: batchSource(key), handler: createPowertoolsHandler({ validation, persistenceStore, dataSchema }) };
}

export async function run(): Promise<BenchSection> {
  const dynamo = await startDynalite();
  try {
    const dataSchema = orderPlacedSchema();
    const rows: Row[] = [
      { key: 'bare', stack: 'Bare loop: JSON.parse + no-op', store: 'none', label: 'bare', next: batchSource('bare'), handler: createBareLoopHandler() },
      {
        key: 'middy',
        stack: 'middy: event-normalizer + validator (precompiled) + sqs-partial-batch-failure',
        store: 'none',
        label: 'middy',
        next: batchSource('middy'),
        handler: createMiddyHandler(dataSchema),
      },
      await powertoolsRow('pt-zod', 'Powertools: batch + parser (zod) + idempotency + logger + tracer', 'zod-parser', 'memory', dynamo),
      await powertoolsRow('pt-zod-inner', 'Powertools: batch + parser (zod, innerSchema) + idempotency + logger + tracer', 'zod-parser-inner-schema', 'memory', dynamo),
      await powertoolsRow('pt-ajv', 'Powertools: batch + validation (shared Ajv) + idempotency + logger + tracer', 'validation-utility-shared-ajv', 'memory', dynamo),
      await powertoolsRow('pt-val', 'Powertools: batch + validation (as documented) + idempotency + logger + tracer', 'validation-utility', 'memory', dynamo),
      await powertoolsRow('pt-zod-ddb', 'Powertools: batch + parser (zod) + idempotency + logger + tracer', 'zod-parser', 'dynalite', dynamo),
    ];
    await dynamo.createTable('busline-dedupe', 'pk');
    rows.push(
      { key: 'busline', stack: 'Busline: full stack (wrapHandler)', store: 'memory', label: 'busline', next: batchSource('busline'), handler: await buslineBatchHandler({ kind: 'memory' }) },
      {
        key: 'busline-ddb',
        stack: 'Busline: full stack (wrapHandler)',
        store: 'dynalite',
        label: 'busline-ddb',
        next: batchSource('busline-ddb'),
        handler: await buslineBatchHandler({ kind: 'dynamodb', tableName: 'busline-dedupe', client: dynamo.client() }),
      },
    );

    const results = await measureRows(rows, { rounds: 21, targetSampleMs: 40, warmupMs: 300, context: lambdaContext, progress });
    const byKey = new Map(results.map((r, i) => [rows[i]!.key, r] as const));
    const buslineMemory = byKey.get('busline')!;
    // Busline against each row: the same-store Busline row for dedupe stacks, the in-memory one otherwise.
    const buslineFor: Record<StoreKind, RowResult> = { none: buslineMemory, memory: buslineMemory, dynalite: byKey.get('busline-ddb')! };
    const tableRows = rows.map((row, i) => {
      const r = results[i]!;
      const ratio = row.key.startsWith('busline') ? '—' : formatRatio(buslineFor[row.store].perEvent, r.perEvent);
      return [row.stack, STORE_LABEL[row.store], formatSummary(r.perEvent), ratio];
    });

    const notes = [
      `Each row: ${BATCH_SIZE}-record SQS batches whose bodies are EventBridge order.placed events in Busline's envelope (1.0–1.7 KB, median 1.3 KB), data checked against ${relative(ROOT, ORDER_PLACED_SCHEMA_FILE)}; every event has a fresh id, so dedupe runs its first-delivery path (lock, handler, complete). A no-op handler. µs per event = handler time / events; 21 interleaved rounds, each sample ≥ 40 ms of batches.`,
      'Every row must report zero failed records or the run stops: a misconfigured stack cannot look fast.',
      'Busline runs its runtime bundled and minified as the constructs ship it (bench/subjects/busline-batch.ts), with reserve-inventory\'s SubscriptionConfig and generated validators taken from the OrdersStack; the peers run their published JavaScript from node_modules.',
      'Logs: Busline writes one JSON line per record outcome and one EMF metrics line per batch; the Powertools rows log one line per record with Logger too (same work); middy and the bare loop log nothing. Stdout goes to /dev/null. Tracing: Powertools Tracer is disabled outside Lambda and Busline\'s OpenTelemetry spans are no-ops without a registered provider, so neither row pays for trace export.',
      'Powertools in-memory rows use a BasePersistenceLayer subclass over a Map with the DynamoDB layer\'s conditions (bench/peers/memory-persistence.ts), the same store kind as Busline\'s in-memory double.',
      'Over DynamoDB, Powertools\' BatchProcessor handles the 10 records in parallel (its default) while Busline\'s runtime handles them one after another (lib/runtime/batch-processor.ts), so the dynalite rows also compare concurrency, not only code.',
    ];
    const bare = byKey.get('bare')!;
    const ptZod = byKey.get('pt-zod')!;
    const middy = byKey.get('middy')!;
    const m = buslineMemory.perEvent.median;
    const vsZod = m / ptZod.perEvent.median;
    const vsBare = m / bare.perEvent.median;
    notes.push(
      `Target Busline (in-memory) ≤ 0.1 × Powertools zod stack: ${formatNumber(vsZod)}× — ${vsZod <= 0.1 ? 'met' : 'NOT met'}.`,
      `Target Busline (in-memory) ≤ 5 × bare loop: ${formatNumber(vsBare)}× — ${vsBare <= 5 ? 'met' : 'NOT met'}.`,
      `Busline (in-memory) ÷ middy: ${formatRatio(buslineMemory.perEvent, middy.perEvent)}${m > middy.perEvent.median ? ' — Busline loses to the hand-built middy stack, which does no dedupe, logging, metrics or DLQ routing' : ''}.`,
    );
    return {
      title: 'Runtime overhead per event (SQS batch of 10, no-op handler)',
      columns: ['Stack', 'Dedupe store', 'µs/event, median (IQR)', 'Busline ÷ this'],
      rows: tableRows,
      notes,
    };
  } finally {
    await dynamo.close();
  }
}
