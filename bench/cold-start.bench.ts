/**
 * Issue 8, item 2: cold start of the reference reserve-inventory handler against
 * Powertools handlers doing the same work (validate, dedupe, write, publish). For each:
 * the minified bundle's bytes (@aws-sdk external), the module load time, and the time
 * from spawning a fresh `node` to the first batch of 10 processed, with DynamoDB answered
 * by dynalite and EventBridge PutEvents by a local endpoint, over HTTP with the real SDK.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchSection } from './section.ts';
import { batchSource, BATCH_SIZE } from './fixtures/order-events.ts';
import { bundleAsLambda } from './lib/bundle.ts';
import { runChild } from './lib/child.ts';
import { LOCAL_AWS, startDynalite } from './lib/dynalite.ts';
import { startEventsEndpoint } from './lib/events-endpoint.ts';
import { ROOT } from './lib/machine.ts';
import { formatNumber, formatRatioBounds, formatSummary, ratioBounds, summarize } from './lib/stats.ts';
import { targetOf, targetRow, verdictSentence } from './lib/targets.ts';
import { buildBuslineReserveInventory } from './subjects/busline-bundle.ts';
import { coldStartAreas, SAMPLED_BUSY_TIME, summarizeProfile, withCpuProfiles, type ProfileSummary } from './lib/cpu-profile.ts';

const RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 21);
const WORK_DIR = join(ROOT, 'bench', '.tmp', 'cold-start');
const PROBE = join(ROOT, 'bench', 'lib', 'cold-start-probe.mjs');
/** The Powertools handlers doing what Busline's does and no more (bench/peers/powertools-reserve-inventory-like-busline.ts). */
const LIKE_FOR_LIKE = ['powertools-reserve-inventory-like-busline-ajv', 'powertools-reserve-inventory-like-busline-zod'] as const;
const progress = (m: string) => process.stderr.write(`[bench] cold-start: ${m}\n`);
/** One more cold start each of Busline and the faster like-for-like peer under node --cpu-prof (BENCH_COLD_PROFILE=0: none). */
const PROFILE = process.env['BENCH_COLD_PROFILE'] !== '0';

interface ProbeReport {
  readonly moduleLoadMs: number;
  /** The first handler call alone: lazy client loads, connections, the work. */
  readonly firstInvokeMs: number;
  readonly firstBatchDoneMs: number;
  readonly failures: number;
}

interface Subject {
  readonly key: string;
  readonly label: string;
  readonly bundle: string;
  readonly env: Record<string, string>;
  /** inventory.reserved events one batch must publish (0 for the Node floor). */
  readonly publishes: number;
  readonly load: number[];
  readonly firstInvoke: number[];
  readonly firstBatch: number[];
  /** PutEvents calls the first batch made. */
  readonly putEventsCalls: number[];
}

/** A subject with no samples yet. */
function subject(setup: Pick<Subject, 'key' | 'label' | 'bundle' | 'env' | 'publishes'>): Subject {
  return { ...setup, load: [], firstInvoke: [], firstBatch: [], putEventsCalls: [] };
}

function kib(bytes: number): string {
  return `${formatNumber(bytes / 1024)} KiB`;
}

export async function run(): Promise<BenchSection> {
  const dynamo = await startDynalite();
  const events = await startEventsEndpoint();
  try {
    await dynamo.createTable('Reservations', 'orderId');
    await dynamo.createTable('PowertoolsIdempotency', 'id');
    await dynamo.createTable('BuslineDedupe', 'pk');
    mkdirSync(WORK_DIR, { recursive: true });
    const baseEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
    };
    const peerEnv = { ...baseEnv, RESERVATIONS_TABLE: 'Reservations', IDEMPOTENCY_TABLE: 'PowertoolsIdempotency', EVENT_BUS_NAME: 'orders' };

    const subjects: Subject[] = [];
    progress('bundling Busline reserve-inventory as the constructs do');
    const buslineBundle = buildBuslineReserveInventory(join(WORK_DIR, 'busline'));
    subjects.push(subject({
      key: 'busline',
      label: 'Busline reserve-inventory (functions/reserve-inventory.ts, wrapped)',
      bundle: buslineBundle.bundle,
      env: { ...baseEnv, ...buslineBundle.env({ dedupeTable: 'BuslineDedupe', reservationsTable: 'Reservations', busName: 'orders' }) },
      publishes: BATCH_SIZE,
    }));
    for (const [key, label] of [
      [LIKE_FOR_LIKE[0], 'Powertools, like for like: batch + idempotency + validation (shared Ajv; envelope shape + data) + logger (a line per batch), no tracer'],
      [LIKE_FOR_LIKE[1], 'Powertools, like for like: batch + idempotency + zod (envelope shape + data) + logger (a line per batch), no tracer'],
      ['powertools-reserve-inventory', 'Powertools: batch + idempotency + validation (shared Ajv, data) + logger (a line per record) + tracer'],
      ['powertools-reserve-inventory-zod', 'Powertools: batch + idempotency + parser (zod, SQS record + EventBridge event) + logger (a line per record) + tracer'],
    ] as const) {
      const bundle = join(WORK_DIR, key, 'index.mjs');
      bundleAsLambda(join(ROOT, 'bench', 'peers', `${key}.ts`), bundle);
      subjects.push(subject({ key, label, bundle, env: peerEnv, publishes: BATCH_SIZE }));
    }
    // The floor every row stands on: Node's own start-up, the probe, reading the batch.
    const floor = join(WORK_DIR, 'node-floor', 'index.mjs');
    mkdirSync(dirname(floor), { recursive: true });
    writeFileSync(floor, 'export const handler = async () => ({ batchItemFailures: [] });\n');
    subjects.push(subject({ key: 'node-floor', label: 'Node start-up alone (a handler that does nothing)', bundle: floor, env: baseEnv, publishes: 0 }));

    // Fresh ids every run, so each process does the full first-delivery work.
    const batches = batchSource('cold-start');
    const runOnce = async (s: Subject, keep: boolean, nodeArgs: readonly string[] = []) => {
      const batchFile = join(WORK_DIR, `${s.key}.batch.json`);
      writeFileSync(batchFile, JSON.stringify(batches()));
      const published = events.accepted('inventory.reserved');
      const callsBefore = events.calls();
      const { report, wallMs } = await runChild<ProbeReport>([...nodeArgs, PROBE, s.bundle, batchFile], { env: s.env, cwd: ROOT });
      if (report.failures > 0) throw new Error(`${s.label}: ${report.failures} records failed in the first batch: the handler is misconfigured`);
      const sent = events.accepted('inventory.reserved') - published;
      if (sent !== s.publishes) throw new Error(`${s.label}: published ${sent} inventory.reserved events for a batch of ${BATCH_SIZE}, expected ${s.publishes}`);
      if (keep) {
        s.load.push(report.moduleLoadMs);
        s.firstInvoke.push(report.firstInvokeMs);
        s.firstBatch.push(wallMs);
        s.putEventsCalls.push(events.calls() - callsBefore);
      }
    };
    for (const s of subjects) await runOnce(s, false);
    for (let i = 0; i < RUNS; i++) {
      if (i % 5 === 0) progress(`run ${i + 1}/${RUNS}`);
      for (const s of subjects) await runOnce(s, true);
    }

    const stats = subjects.map((s) => ({ s, bytes: statSync(s.bundle).size, load: summarize(s.load), invoke: summarize(s.firstInvoke), first: summarize(s.firstBatch) }));
    const busline = stats.find((x) => x.s.key === 'busline')!;
    const rows = stats.map((x) => [
      x.s.label,
      kib(x.bytes),
      formatSummary(x.load),
      formatSummary(x.invoke),
      formatSummary(x.first),
      x === busline || x.s.key === 'node-floor' ? '—' : formatRatioBounds(ratioBounds(busline.bytes, x.bytes)),
      x === busline || x.s.key === 'node-floor' ? '—' : formatRatioBounds(ratioBounds(busline.first, x.first)),
    ]);
    const notes = [
      `Bundles: esbuild, minified ESM for nodejs24.x, @aws-sdk/* external (the Lambda runtime provides it); Busline's through lib/constructs' bundler, the peers' with the same options (bench/lib/bundle.ts).`,
      `Module load: import() of the bundle in a fresh node (median of ${RUNS}). First invocation: the first handler call alone (lazy client loads, first connections, the work). Start → first batch: from spawning \`node bench/lib/cold-start-probe.mjs\` to the handler's response to a batch of ${BATCH_SIZE} order.placed events (median of ${RUNS}, interleaved); it includes Node's own start-up (the same for every row) and loading the AWS SDK clients from node_modules.`,
      `Busline's module load has no AWS SDK in it: functions/reserve-inventory.ts uses the runtime's own DynamoDB client and SDK module (dynamoDb(), dynamoDbSdk(); one client per container, made on first use) instead of importing the SDK statically and making a client at load. The runtime's clients load inside the first batch, with require (an ES module importing the CommonJS SDK costs Node a lexing pass over it): EventBridge (for publish) in the background as the batch starts, DynamoDB on the first dedupe lock. The first batch runs its ${BATCH_SIZE} records concurrently, as Powertools' BatchProcessor does. The Powertools handlers import every client at load.`,
      `Work per record, for every row: validate data, take a dedupe lock in DynamoDB and complete it, ADD 1 to runs on the order's Reservations item, PutEvents inventory.reserved. DynamoDB is dynalite and EventBridge a local PutEvents endpoint, both over HTTP on 127.0.0.1; each run's events have fresh ids and the bench checks that ${BATCH_SIZE} inventory.reserved events were published.`,
    ];
    const calls = stats
      .filter((x) => x.s.publishes > 0)
      .map((x) => `${x.s.key === 'busline' ? 'Busline' : x.s.key} ${formatNumber(summarize(x.s.putEventsCalls).median)}`);
    notes.push(
      `PutEvents calls for the first batch's ${BATCH_SIZE} events (median): ${calls.join(', ')}. Busline's runtime lets the events of records finishing in the same turn of the event loop share calls (lib/runtime/publish-batcher.ts); the Powertools handlers send one call per record.`,
    );
    const floorRow = stats.find((x) => x.s.key === 'node-floor')!;
    notes.push(
      `Of Busline's ${formatNumber(busline.first.median)} ms from spawn to first batch, ${formatNumber(floorRow.first.median)} ms is Node starting and the probe (last row), which no handler can save; the ratios include it, as a cold start does.`,
      'Like for like: the Powertools rows marked so validate the scope Busline validates (the event\'s id, detail-type and source, the envelope { metadata?, data } and data against the topic\'s schema), log at Busline\'s level (one line per batch) and have no Tracer (which bundles aws-xray-sdk-core and its dependencies); the others are the handlers of issue 8, with Tracer.',
    );
    // The stricter comparison of the two like-for-like peers: the smaller bundle, the faster first batch.
    const peers = stats.filter((x) => (LIKE_FOR_LIKE as readonly string[]).includes(x.s.key));
    const smallest = peers.reduce((a, x) => (x.bytes < a.bytes ? x : a));
    const fastest = peers.reduce((a, x) => (x.first.median < a.first.median ? x : a));
    const sizeBounds = { median: busline.bytes, lower: busline.bytes, upper: busline.bytes };
    const bundleRatio = ratioBounds(busline.bytes, smallest.bytes);
    const firstRatio = ratioBounds(busline.first, fastest.first);
    notes.push(
      verdictSentence('Busline reserve-inventory bundle', sizeBounds, targetOf('bundle-size'), ' bytes'),
      verdictSentence(`bundle ÷ the smaller like-for-like Powertools bundle (${smallest.s.key})`, bundleRatio, targetOf('bundle-vs-powertools'), '×'),
      verdictSentence(`start → first batch ÷ the faster like-for-like Powertools handler (${fastest.s.key})`, firstRatio, targetOf('first-batch-vs-powertools'), '×'),
    );
    if (PROFILE) {
      // Where a cold start's CPU goes: one more first batch of each under the profiler.
      const profileOf = (s: Subject): Promise<ProfileSummary> => {
        progress(`profiled cold start of ${s.key}`);
        return withCpuProfiles(async (profiling) => {
          await runOnce(s, false, profiling.nodeArgs);
          return summarizeProfile(profiling.only(), coldStartAreas(s.bundle), { keepStartUp: true });
        });
      };
      const describe = (p: ProfileSummary) => `${formatNumber(p.busyMs)} ms busy: ${p.areas.filter((a) => a.ms / p.busyMs >= 0.01).map((a) => `${a.area} ${formatNumber(a.ms)} ms`).join(', ')}`;
      notes.push(`Where a cold start's CPU goes (spawn to the first batch's answer, main thread, one more run of each under node --cpu-prof, which slows it: compare the parts, not the totals with the rows; ${SAMPLED_BUSY_TIME}): Busline ${describe(await profileOf(busline.s))}; ${fastest.s.key} ${describe(await profileOf(fastest.s))}.`);
    }
    const targets = [
      targetRow('bundle-size', sizeBounds, (b) => `${kib(b.median)} (${b.median.toLocaleString('en-US')} bytes)`),
      targetRow('bundle-vs-powertools', bundleRatio, (b) => `${formatRatioBounds(b)} against ${kib(smallest.bytes)}`),
      targetRow('first-batch-vs-powertools', firstRatio, formatRatioBounds),
    ];
    return {
      title: 'Cold start: reserve-inventory vs a Powertools handler doing the same work',
      columns: ['Handler', 'Bundle (minified)', 'Module load, ms (IQR)', 'First invocation, ms (IQR)', 'Start → first batch, ms (IQR)', 'Busline ÷ this, bundle', 'Busline ÷ this, first batch, median (IQR bounds)'],
      rows,
      notes,
      targets,
    };
  } finally {
    await events.close();
    await dynamo.close();
  }
}
