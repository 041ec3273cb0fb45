/**
 * What dedupe costs per record: the coordinator around a no-op handler, against
 * "dynalite" — the local engine's DynamoDB backend on dynalite's store (a real DynamoDB
 * wire endpoint on 127.0.0.1, so each store call is an HTTP round trip through the AWS
 * SDK) — and against the in-memory double (the coordinator's own overhead). Three paths:
 * a first delivery (lock + COMPLETED mark), a duplicate another container already
 * handled (one conditional PutItem that fails and returns the holder, as DynamoDB does),
 * and a duplicate this container has cached (no store call).
 *
 * A second table puts that in context: whole wrapHandler invocations on batches of
 * 10 SQS records, with dedupe off, on over the in-memory double, and on over dynalite.
 *
 * Run alone: `npx tsx bench/dedupe.bench.ts`.
 */
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchSection } from './section.ts';
import { DedupeCoordinator } from '../lib/runtime/dedupe/dedupe-coordinator.ts';
import type { DedupeStore } from '../lib/runtime/dedupe/dedupe-store.ts';
import { DynamoDbDedupeStore } from '../lib/runtime/dedupe/dynamodb-dedupe-store.ts';
import { InMemoryDedupeStore } from '../lib/runtime/dedupe/in-memory-dedupe-store.ts';
import type { Context } from 'aws-lambda';
import { wrapHandler, type WrapOptions } from '../lib/runtime/index.ts';
import { startDynalite } from '../test/support/dynalite.ts';
import { loadValidators } from '../test/support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from '../test/runtime/fixtures/flow.ts';
import { createDedupeTable, testDynamoDbClient } from '../test/support/dedupe-table.ts';

const RUNS = 7;
const RECORDS_PER_RUN = 200;
const noop = async (): Promise<void> => {};

type Path = 'first delivery' | 'duplicate (store)' | 'duplicate (cache)' | 'no dedupe';

/** µs per record for one run of `RECORDS_PER_RUN` records along `path`. */
async function timeRun(makeStore: () => DedupeStore, path: Path, run: number): Promise<number> {
  const deadline = { deadlineMs: Date.now() + 15 * 60_000 };
  const keys = Array.from({ length: RECORDS_PER_RUN }, (_, i) => `bench#${path}#${run}#${i}`);
  const store = makeStore();
  const container = new DedupeCoordinator({ store });
  if (path === 'duplicate (store)' || path === 'duplicate (cache)') {
    for (const key of keys) await container.execute(key, deadline, noop);
  }
  // A fresh container has an empty cache, so every duplicate goes to the store.
  const measured = path === 'duplicate (store)' ? new DedupeCoordinator({ store: makeStore() }) : container;
  const started = process.hrtime.bigint();
  for (const key of keys) {
    if (path === 'no dedupe') await noop();
    else await measured.execute(key, deadline, noop);
  }
  return Number(process.hrtime.bigint() - started) / 1_000 / RECORDS_PER_RUN;
}

async function measure(makeStore: () => DedupeStore, path: Path): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) samples.push(await timeRun(makeStore, path, run));
  return samples.sort((a, b) => a - b);
}

const median = (sorted: number[]): number => sorted[Math.floor(sorted.length / 2)]!;
const fmt = (us: number): string => (us >= 100 ? us.toFixed(0) : us.toFixed(2));
const spread = (sorted: number[]): string => `${fmt(sorted[0]!)}–${fmt(sorted[sorted.length - 1]!)}`;

const BATCHES_PER_RUN = 20;
const BATCH_SIZE = 10;

/** µs per record through wrapHandler, for batches of distinct first-delivery events. */
async function timeWrapped(dedupe: WrapOptions['dedupe'] | 'off', run: number, validators: WrapOptions['validators']): Promise<number> {
  const config = subscriptionConfig({ dedupe: dedupe === 'off' ? false : { ttlSeconds: 86_400 } });
  const handler = wrapHandler(async () => {}, { config, validators, output: () => {}, ...(dedupe === 'off' ? {} : { dedupe }) });
  const batches = Array.from({ length: BATCHES_PER_RUN }, (_, b) => ({
    Records: Array.from({ length: BATCH_SIZE }, (_, i) =>
      sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${run}-${b}-${i}`, quantity: 1 }))),
    ),
  }));
  const started = process.hrtime.bigint();
  for (const batch of batches) await handler(batch, lambdaContext() as unknown as Context);
  return Number(process.hrtime.bigint() - started) / 1_000 / (BATCHES_PER_RUN * BATCH_SIZE);
}

/** One sample list per variant; the variants take turns within each run, so load drift on a shared machine hits all alike. */
async function measureWrappedInTurns(variants: ReadonlyArray<WrapOptions['dedupe'] | 'off'>, validators: WrapOptions['validators']): Promise<number[][]> {
  const samples = variants.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, variant] of variants.entries()) samples[i]!.push(await timeWrapped(variant, run * variants.length + i, validators));
  }
  return samples.map((s) => s.sort((a, b) => a - b));
}

export async function run(): Promise<BenchSection> {
  const dynamo = await startDynalite();
  const client = testDynamoDbClient(dynamo.endpoint);
  try {
    const tableName = await createDedupeTable(client, 'bench');
    const dynamoStore = (): DedupeStore => new DynamoDbDedupeStore({ tableName, client });
    const memoryStore = new InMemoryDedupeStore();
    const sharedMemory = (): DedupeStore => memoryStore; // one table shared by every container, like DynamoDB
    // Warm the SDK (lazy import, connection) so the first run does not carry it.
    await timeRun(dynamoStore, 'first delivery', -1);

    const rows: string[][] = [];
    for (const path of ['first delivery', 'duplicate (store)', 'duplicate (cache)'] as const) {
      const dyn = await measure(dynamoStore, path);
      const mem = await measure(sharedMemory, path);
      rows.push([path, fmt(median(dyn)), spread(dyn), fmt(median(mem)), spread(mem), `${(median(dyn) / median(mem)).toFixed(0)}×`]);
    }
    const none = await measure(sharedMemory, 'no dedupe');
    rows.push(['no dedupe (handler call only)', '—', '—', fmt(median(none)), spread(none), '—']);

    // Whole invocations: what a record costs through wrapHandler with and without dedupe.
    const validators = await loadValidators(SCHEMAS_DIR);
    await timeWrapped({ tableName, client }, -1, validators); // warm-up
    const [off, onMemory, onDynalite] = (await measureWrappedInTurns(['off', { store: new InMemoryDedupeStore() }, { tableName, client }], validators)) as [
      number[],
      number[],
      number[],
    ];
    const ratio = (x: number[]) => `${(median(x) / median(off)).toFixed(1)}×`;
    rows.push(['wrapHandler, dedupe off (µs/record)', '—', '—', fmt(median(off)), spread(off), '1.0× (peer)']);
    rows.push(['wrapHandler, dedupe on, in-memory store', '—', '—', fmt(median(onMemory)), spread(onMemory), ratio(onMemory)]);
    rows.push(['wrapHandler, dedupe on, dynalite', fmt(median(onDynalite)), spread(onDynalite), '—', '—', ratio(onDynalite)]);
    return {
      title: 'Dedupe cost per record (µs, sequential records, no-op handler)',
      columns: ['path', 'dynalite median', 'dynalite min–max', 'in-memory median', 'in-memory min–max', 'dynalite ÷ in-memory'],
      rows,
      notes: [
        `${RUNS} runs of ${RECORDS_PER_RUN} records per cell; median and min–max of the per-run means.`,
        'first delivery = conditional PutItem + UpdateItem (2 round trips to the store).',
        'dynalite = the local engine\'s DynamoDB backend (lib/local/dynamodb: dynalite\'s store, plus transactions and ReturnValuesOnConditionCheckFailure).',
        'duplicate (store) = one failed conditional PutItem that returns the holder (ReturnValuesOnConditionCheckFailure: ALL_OLD), as real DynamoDB answers.',
        'duplicate (cache) = this container already saw the key COMPLETED: no store call.',
        `wrapHandler rows: ${RUNS} runs of ${BATCHES_PER_RUN} batches × ${BATCH_SIZE} SQS records (first deliveries, all succeed), no-op handler, logs discarded; their last column is the ratio to dedupe off.`,
        `dynalite runs in the same process as the benchmark, on this ${cpus().length}-core machine: absolute figures are indicative, ratios within one run are the comparison.`,
      ],
    };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await run();
  console.log(section.title);
  console.log(section.columns.join(' | '));
  for (const row of section.rows) console.log(row.join(' | '));
  for (const note of section.notes ?? []) console.log(`- ${note}`);
}
