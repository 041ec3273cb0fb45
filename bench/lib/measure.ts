/**
 * Per-event timing of batch handlers. Rows are measured in interleaved rounds (round 1 of
 * every row, then round 2 …) so a burst of load from the other processes on this shared
 * machine lands on all rows alike and the ratios stay fair. Each sample is the handler
 * time of enough batches to last ~targetSampleMs; building the batches is not timed.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { summarize, type Summary } from './stats.ts';

export interface BatchRow {
  readonly label: string;
  /** The next batch for this row (fresh ids each call). */
  readonly next: () => SQSEvent;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
}

export interface MeasureOptions {
  readonly rounds: number;
  readonly targetSampleMs: number;
  /** Warm-up per row before calibration (JIT, caches, connection pools). */
  readonly warmupMs: number;
  readonly context: () => Context;
  readonly progress?: (message: string) => void;
}

export interface RowResult {
  readonly label: string;
  /** µs per event. */
  readonly perEvent: Summary;
  readonly batchesPerSample: number;
}

/** Runs one batch, returning its handler time in ms; a row that fails records would look fast, so any failure stops the bench. */
async function runBatch(row: BatchRow, context: Context, event: SQSEvent = row.next()): Promise<number> {
  const started = performance.now();
  const response = await row.handler(event, context);
  const elapsed = performance.now() - started;
  const failures = response && 'batchItemFailures' in response ? response.batchItemFailures : [];
  if (failures.length > 0) {
    throw new Error(`bench row "${row.label}" reported ${failures.length} failed records (${failures.map((f) => f.itemIdentifier).join(', ')}): the measured stack is misconfigured`);
  }
  return elapsed;
}

/**
 * One row as the measuring loop drives it: in this process (inProcessRunner) or in a process
 * of its own (bench/lib/row-process.ts), so one row's garbage and heap never land on another.
 */
export interface RowRunner {
  readonly label: string;
  /** Runs batches for at least `warmupMs` (and at least 3); resolves with ms per batch. */
  warmup(warmupMs: number): Promise<number>;
  /** Runs `batches` batches (fresh events each); resolves with their handler time and event count. */
  sample(batches: number): Promise<{ totalMs: number; events: number }>;
  close(): Promise<void>;
}

/**
 * A row run in this process. Rows sharing a heap collect it (when `gc` is exposed) before
 * each sample, so one row's garbage is not collected on the next row's time; a row alone in
 * its process (bench/lib/row-worker.ts) passes `collectBeforeSample: false`: forcing a full
 * collection there only makes V8 shrink the young generation, and each sample would then pay
 * for growing it back (measured on this machine: +20–25% on the Busline and Powertools rows,
 * nothing on the bare loop, which allocates little).
 */
export function inProcessRunner(row: BatchRow, contextOf: () => Context, options: { collectBeforeSample?: boolean } = {}): RowRunner {
  const gc = options.collectBeforeSample === false ? undefined : (globalThis as { gc?: () => void }).gc;
  return {
    label: row.label,
    async warmup(warmupMs) {
      let spent = 0;
      let count = 0;
      const context = contextOf();
      while (spent < warmupMs || count < 3) {
        spent += await runBatch(row, context);
        count++;
      }
      return spent / count;
    },
    async sample(batches) {
      gc?.();
      const context = contextOf();
      let totalMs = 0;
      let events = 0;
      for (let b = 0; b < batches; b++) {
        const event = row.next();
        events += event.Records.length;
        totalMs += await runBatch(row, context, event);
      }
      return { totalMs, events };
    },
    close: async () => undefined,
  };
}

export async function measureRows(rows: readonly BatchRow[], options: MeasureOptions): Promise<RowResult[]> {
  return measureRunners(rows.map((row) => inProcessRunner(row, options.context)), options);
}

/** Interleaved rounds over the runners (round 1 of every row, then round 2, …). */
export async function measureRunners(runners: readonly RowRunner[], options: Omit<MeasureOptions, 'context'>): Promise<RowResult[]> {
  const plan: { runner: RowRunner; batches: number; samples: number[] }[] = [];
  for (const runner of runners) {
    options.progress?.(`warming up ${runner.label}`);
    const perBatch = await runner.warmup(options.warmupMs);
    const batches = Math.max(1, Math.min(500, Math.round(options.targetSampleMs / perBatch)));
    plan.push({ runner, batches, samples: [] });
  }
  for (let round = 0; round < options.rounds; round++) {
    if (round % 5 === 0) options.progress?.(`round ${round + 1}/${options.rounds}`);
    for (const p of plan) {
      const { totalMs, events } = await p.runner.sample(p.batches);
      p.samples.push((totalMs * 1000) / events);
    }
  }
  return plan.map((p) => ({ label: p.runner.label, perEvent: summarize(p.samples), batchesPerSample: p.batches }));
}
