/**
 * Issue 8, item 1: per-event runtime overhead. The same SQS batches (10 EventBridge
 * events of the reference order.placed topic, 1–2 KB each) through each stack with a
 * no-op handler; µs per event, median over interleaved rounds with the IQR.
 */
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import type { BenchSection } from './section.ts';
import { BATCH_SIZE, batchSource, ORDER_PLACED_SCHEMA_FILE } from './fixtures/order-events.ts';
import { startDynalite } from './lib/dynalite.ts';
import { measureRunners, type RowResult, type RowRunner } from './lib/measure.ts';
import { ROOT } from './lib/machine.ts';
import { processRunner } from './lib/row-process.ts';
import { formatNumber, formatRatioBounds, formatSummary, ratioBounds, summarize } from './lib/stats.ts';
import { atMost, targetOf, targetRow, verdict, verdictSentence } from './lib/targets.ts';
import { ROWS, ROW_TABLES, type StoreKind } from './rows/runtime-overhead.ts';
import { timeUnder, withCpuProfiles } from './lib/cpu-profile.ts';

const progress = (m: string) => process.stderr.write(`[bench] runtime-overhead: ${m}\n`);
const ROWS_MODULE = join(ROOT, 'bench', 'rows', 'runtime-overhead.ts');
const ROUNDS = Number(process.env['BENCH_RUNTIME_ROUNDS'] ?? 21);
const SAMPLE_MS = 40;
const WARMUP_MS = 300;
/** One more run of Busline's subject under node --cpu-prof, for where its time goes (BENCH_RUNTIME_PROFILE=0: none). */
const PROFILE = process.env['BENCH_RUNTIME_PROFILE'] !== '0';
const PROFILE_BATCHES = 2000;

/**
 * Busline's row again (bench/profile-runtime.ts: the same subject, lib/runtime's modules through
 * tsx so each function names its file), under node --cpu-prof: self time by function inside the
 * handler calls, as "decodeRecord (envelope.ts) 26%, …", and garbage collection apart.
 */
async function runtimeProfile(): Promise<string> {
  progress('profiled pass of the Busline row');
  return withCpuProfiles(async (profiling) => {
    const child = spawn(process.execPath, [...profiling.nodeArgs, '--import', 'tsx', join(ROOT, 'bench', 'profile-runtime.ts'), 'profile', String(PROFILE_BATCHES)], {
      cwd: ROOT, env: { ...process.env, PROFILE_SOURCES: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`the profiled pass of the Busline row failed (exit ${code}): ${stderr.trim()}`);
    // tsx's __name helper (it keeps function names) is not the runtime's: left out.
    const under = timeUnder(profiling.mainThread(child.pid!), (url) => url.includes('/lib/runtime/'), 12);
    const listed = under.functions.filter((f) => !f.name.startsWith('__name ')).slice(0, 8);
    const share = (ms: number) => `${Math.round((ms / under.busyMs) * 100)}%`;
    return `Where Busline's time per event goes (its subject again under node --cpu-prof, ${formatNumber(PROFILE_BATCHES * BATCH_SIZE)} events, lib/runtime's modules through tsx rather than bundled so each function names its file; self time inside the handler calls, the largest): ${listed.map((f) => `${f.name} ${share(f.ms)}`).join(', ')}; garbage collection besides, ${formatNumber(under.gcMs)} ms against ${formatNumber(under.busyMs)} ms in the handler calls.${listed.some((f) => f.name.startsWith('decodeRecord ')) ? ' decodeRecord is mostly JSON.parse of the body, which every row pays.' : ''}`;
  });
}

/** Sizes of the record bodies the rows process (the first batches of the seeded generator), KB. */
function bodySizes(batches = 50): { min: number; median: number; max: number } {
  const next = batchSource('busline');
  const sizes: number[] = [];
  for (let b = 0; b < batches; b++) for (const r of next().Records) sizes.push(Buffer.byteLength(r.body) / 1000);
  const s = summarize(sizes);
  return { min: s.min, median: s.median, max: s.max };
}

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
    const results = await measureRunners(runners, { rounds: ROUNDS, targetSampleMs: SAMPLE_MS, warmupMs: WARMUP_MS, progress });
    const byKey = new Map(results.map((r, i) => [ROWS[i]!.key, r] as const));
    const buslineMemory = byKey.get('busline')!;
    // Busline against each row: the same-store Busline row for dedupe stacks, the in-memory one otherwise.
    const buslineFor: Record<StoreKind, RowResult> = { none: buslineMemory, memory: buslineMemory, dynalite: byKey.get('busline-ddb')! };
    const tableRows = ROWS.map((row, i) => {
      const r = results[i]!;
      const ratio = row.key.startsWith('busline') ? '—' : formatRatioBounds(ratioBounds(buslineFor[row.store].perEvent, r.perEvent));
      return [row.stack, STORE_LABEL[row.store], formatSummary(r.perEvent), ratio];
    });

    const size = bodySizes();
    const kb = (x: number) => `${formatNumber(x)} KB`;
    const notes = [
      `Each row: ${BATCH_SIZE}-record SQS batches whose bodies are EventBridge order.placed events in Busline's envelope (${kb(size.min)}–${kb(size.max)}, median ${kb(size.median)}), data checked against ${relative(ROOT, ORDER_PLACED_SCHEMA_FILE)}; every event has a fresh id, so dedupe runs its first-delivery path (lock, handler, complete). A no-op handler. µs per event = handler time / events; ${ROUNDS} interleaved rounds after ${WARMUP_MS} ms of warm-up per row, each sample ≥ ${SAMPLE_MS} ms of batches. Every row runs in a node process of its own (bench/lib/row-process.ts), so no row's garbage or retained heap is collected on another row's time; the parent asks one row at a time, so rows never compete for the CPU. A row alone in its process is not force-collected before each sample (that made V8 shrink its young generation and each sample pay to grow it back).`,
      'Every row must report zero failed records or the run stops: a misconfigured stack cannot look fast.',
      'Busline runs its runtime bundled and minified as the constructs ship it (bench/subjects/busline-batch.ts), with reserve-inventory\'s SubscriptionConfig and generated validators taken from the OrdersStack; the peers run their published JavaScript from node_modules.',
      'Like for like ("Powertools, like for like" rows): the scope Busline validates (the body is an EventBridge event with string id, detail-type and source whose detail is exactly { metadata?, data }, and data matches the topic\'s schema; bench/peers/order-schemas.ts), no Tracer, and Logger at Busline\'s level: one info line per batch, a record that succeeds logged at debug, so not written. Busline writes, per batch, one `batch processed` line and one EMF metrics line (it has metrics; these Powertools rows have none). The other Powertools rows are as Powertools\' docs show them: the parser\'s schema covers the whole SQS record and EventBridge event, Logger writes a line per record and Tracer wraps the handler (disabled outside Lambda, as Busline\'s OpenTelemetry spans are no-ops without a registered provider). middy and the bare loop log nothing. Stdout goes to /dev/null.',
      'Powertools in-memory rows use a BasePersistenceLayer subclass over a Map with the DynamoDB layer\'s conditions (bench/peers/memory-persistence.ts), the same store kind as Busline\'s in-memory double.',
      `Over DynamoDB, both handle a batch's ${BATCH_SIZE} records concurrently: Powertools' BatchProcessor in parallel (its default), Busline's runtime up to recordConcurrency (default 10) records of a standard-queue batch at once (lib/runtime/batch-processor.ts; ordered delivery stays one after another).`,
      'Ratios divide Busline\'s median by the row\'s; their bounds divide the quartiles crosswise (Busline\'s p25 ÷ the row\'s p75, p75 ÷ p25), and a target holds only on the bound that decides it.',
    ];
    const bare = byKey.get('bare')!;
    const ptLfl = byKey.get('pt-zod-lfl')!;
    const ptZod = byKey.get('pt-zod')!;
    const middy = byKey.get('middy')!;
    const vsLfl = ratioBounds(buslineMemory.perEvent, ptLfl.perEvent);
    const vsMiddy = ratioBounds(buslineMemory.perEvent, middy.perEvent);
    const vsBare = ratioBounds(buslineMemory.perEvent, bare.perEvent);
    notes.push(
      verdictSentence('Busline (in-memory) ÷ Powertools zod stack, like for like', vsLfl, targetOf('runtime-vs-powertools'), '×'),
      `Busline (in-memory) ÷ the Powertools zod stack of issue 8 (whole record and event, a log line per record, Tracer; not like for like): ${formatRatioBounds(ratioBounds(buslineMemory.perEvent, ptZod.perEvent))}.`,
      verdictSentence('Busline (in-memory) ÷ middy', vsMiddy, targetOf('runtime-vs-middy'), '×') +
        (verdict(vsMiddy, targetOf('runtime-vs-middy')) === 'missed' ? ' The middy stack does no dedupe, logging, metrics or DLQ routing.' : ''),
      verdictSentence('Busline (in-memory) ÷ bare loop (issue 8)', vsBare, atMost(5, '5×'), '×'),
    );
    if (PROFILE) notes.push(await runtimeProfile());
    const targets = [
      targetRow('runtime-vs-powertools', vsLfl, formatRatioBounds),
      targetRow('runtime-vs-middy', vsMiddy, formatRatioBounds),
    ];
    return {
      title: 'Runtime overhead per event (SQS batch of 10, no-op handler)',
      columns: ['Stack', 'Dedupe store', 'µs/event, median (IQR)', 'Busline ÷ this, median (IQR bounds)'],
      rows: tableRows,
      notes,
      targets,
    };
  } finally {
    for (const r of runners) await r.close();
    await dynamo.close();
  }
}
