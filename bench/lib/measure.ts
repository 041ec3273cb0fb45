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

/** Runs one batch; a row that fails records would look fast, so any failure stops the bench. */
async function runBatch(row: BatchRow, context: Context): Promise<number> {
  const event = row.next();
  const started = performance.now();
  const response = await row.handler(event, context);
  const elapsed = performance.now() - started;
  const failures = response && 'batchItemFailures' in response ? response.batchItemFailures : [];
  if (failures.length > 0) {
    throw new Error(`bench row "${row.label}" reported ${failures.length} failed records (${failures.map((f) => f.itemIdentifier).join(', ')}): the measured stack is misconfigured`);
  }
  return elapsed;
}

export async function measureRows(rows: readonly BatchRow[], options: MeasureOptions): Promise<RowResult[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const plan: { row: BatchRow; batches: number; events: number; samples: number[] }[] = [];
  for (const row of rows) {
    options.progress?.(`warming up ${row.label}`);
    let spent = 0;
    let count = 0;
    const context = options.context();
    while (spent < options.warmupMs || count < 3) {
      spent += await runBatch(row, context);
      count++;
    }
    const perBatch = spent / count;
    const batches = Math.max(1, Math.min(500, Math.round(options.targetSampleMs / perBatch)));
    const events = row.next().Records.length;
    plan.push({ row, batches, events, samples: [] });
  }
  for (let round = 0; round < options.rounds; round++) {
    if (round % 5 === 0) options.progress?.(`round ${round + 1}/${options.rounds}`);
    for (const p of plan) {
      gc?.();
      const context = options.context();
      let total = 0;
      for (let b = 0; b < p.batches; b++) total += await runBatch(p.row, context);
      p.samples.push((total * 1000) / (p.batches * p.events));
    }
  }
  return plan.map((p) => ({ label: p.row.label, perEvent: summarize(p.samples), batchesPerSample: p.batches }));
}
