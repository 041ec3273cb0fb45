/**
 * Issue 8, item 1: per-event runtime overhead. The same SQS batches (10 EventBridge
 * events of the reference order.placed topic, 1–2 KB each) through each stack with a
 * no-op handler; µs per event, median over interleaved rounds with the IQR.
 */
import { join, relative } from 'node:path';
import type { BenchSection } from './section.ts';
import { BATCH_SIZE, ORDER_PLACED_SCHEMA_FILE } from './fixtures/order-events.ts';
import { startDynalite } from './lib/dynalite.ts';
import { measureRunners, type RowResult, type RowRunner } from './lib/measure.ts';
import { ROOT } from './lib/machine.ts';
import { processRunner } from './lib/row-process.ts';
import { formatNumber, formatRatio, formatSummary } from './lib/stats.ts';
import { ROWS, ROW_TABLES, type StoreKind } from './rows/runtime-overhead.ts';

const progress = (m: string) => process.stderr.write(`[bench] runtime-overhead: ${m}\n`);
const ROWS_MODULE = join(ROOT, 'bench', 'rows', 'runtime-overhead.ts');

const STORE_LABEL: Record<StoreKind, string> = {
  none: '—',
  memory: 'in-memory',
  dynalite: 'DynamoDB (dynalite, over HTTP)',
};

export async function run(): Promise<BenchSection> {
  const dynamo = await startDynalite();
  const runners: RowRunner[] = [];
  try {
    for (const [table, key] of Object.values(ROW_TABLES)) await dynamo.createTable(table, key);
    // One process per row, started one at a time (bundling and imports are not measured).
    for (const row of ROWS) {
      progress(`starting ${row.key}`);
      runners.push(await processRunner(ROWS_MODULE, row.key, { DYNAMO_ENDPOINT: dynamo.endpoint }));
    }
    const results = await measureRunners(runners, { rounds: 21, targetSampleMs: 40, warmupMs: 300, progress });
    const byKey = new Map(results.map((r, i) => [ROWS[i]!.key, r] as const));
    const buslineMemory = byKey.get('busline')!;
    // Busline against each row: the same-store Busline row for dedupe stacks, the in-memory one otherwise.
    const buslineFor: Record<StoreKind, RowResult> = { none: buslineMemory, memory: buslineMemory, dynalite: byKey.get('busline-ddb')! };
    const tableRows = ROWS.map((row, i) => {
      const r = results[i]!;
      const ratio = row.key.startsWith('busline') ? '—' : formatRatio(buslineFor[row.store].perEvent, r.perEvent);
      return [row.stack, STORE_LABEL[row.store], formatSummary(r.perEvent), ratio];
    });

    const notes = [
      `Each row: ${BATCH_SIZE}-record SQS batches whose bodies are EventBridge order.placed events in Busline's envelope (1.0–1.7 KB, median 1.3 KB), data checked against ${relative(ROOT, ORDER_PLACED_SCHEMA_FILE)}; every event has a fresh id, so dedupe runs its first-delivery path (lock, handler, complete). A no-op handler. µs per event = handler time / events; 21 interleaved rounds, each sample ≥ 40 ms of batches. Every row runs in a node process of its own (bench/lib/row-process.ts), so no row's garbage or retained heap is collected on another row's time; the parent asks one row at a time, so rows never compete for the CPU. A row alone in its process is not force-collected before each sample (that made V8 shrink its young generation and each sample pay to grow it back).`,
      'Every row must report zero failed records or the run stops: a misconfigured stack cannot look fast.',
      'Busline runs its runtime bundled and minified as the constructs ship it (bench/subjects/busline-batch.ts), with reserve-inventory\'s SubscriptionConfig and generated validators taken from the OrdersStack; the peers run their published JavaScript from node_modules.',
      'Logs: Busline (at its default level, info) writes one `batch processed` summary line and one EMF metrics line per batch, plus one line per record that did not succeed (failed, dead-lettered, duplicate); a record that succeeds is logged at debug, so it writes no line here. The Powertools rows log one line per record with Logger (as its docs show), so in this respect Busline does less work; middy and the bare loop log nothing. Stdout goes to /dev/null. Tracing: Powertools Tracer is disabled outside Lambda and Busline\'s OpenTelemetry spans are no-ops without a registered provider, so neither row pays for trace export.',
      'Powertools in-memory rows use a BasePersistenceLayer subclass over a Map with the DynamoDB layer\'s conditions (bench/peers/memory-persistence.ts), the same store kind as Busline\'s in-memory double.',
      'Over DynamoDB, both handle a batch\'s 10 records concurrently: Powertools\' BatchProcessor in parallel (its default), Busline\'s runtime up to recordConcurrency (default 10) records of a standard-queue batch at once (lib/runtime/batch-processor.ts; ordered delivery stays one after another).',
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
    for (const r of runners) await r.close();
    await dynamo.close();
  }
}
