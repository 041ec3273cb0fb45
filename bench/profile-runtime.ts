/**
 * Profiling aid for the runtime-overhead bench's Busline row: the same subject (wrapHandler,
 * reserve-inventory's SubscriptionConfig and validators, in-memory dedupe, no-op handler,
 * 10-record batches of order.placed events), bundled like the constructs bundle it but with
 * identifiers kept, so a CPU profile names functions. Busline's log lines go to stdout as in
 * the bench: send it to /dev/null. Figures go to stderr.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-runtime.ts profile [batches]
 *     µs per event (wall and CPU) over samples of 45 batches, each batch made just before it
 *     runs (not timed), as the bench's rows do. PROFILE_HEAP=<file> writes a sampling heap profile
 *     of every allocation the samples made; PROFILE_SOURCES=1 runs lib/runtime's modules as they
 *     are (through tsx) instead of bundled, so the profile names each function's file; PROFILE_ROW=<key> runs a row as
 *     bench/rows/runtime-overhead.ts builds it instead (minified runtime, or a peer).
 *   node --import tsx bench/profile-runtime.ts compare [rounds]
 *     the bench's bare, middy and busline rows, each in its own process, interleaved as the bench
 *     runs them, and Busline ÷ each: a check of a change without the whole section.
 *   node --import tsx bench/profile-runtime.ts ab <dir> [rounds [<other dir>]]
 *     the runtime from <dir>/lib/runtime (an earlier commit: `git archive <commit> lib/runtime |
 *     tar -x -C <dir>`) against this checkout's, both in this process, samples interleaved:
 *     the median of the per-round CPU ratios (this ÷ <dir>). On a loaded shared machine that
 *     ratio is far steadier than two separate runs' figures. With <other dir>, that one instead of this checkout.
 *
 * CPU time is process.cpuUsage() around each handler call: every thread of the process, GC
 * helpers included, and not the time other processes hold the CPU.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LAMBDA_BUNDLE_OPTIONS } from '../lib/constructs/bundler.ts';
import type { ValidatorTable } from '../lib/runtime/index.ts';
import { batchSource, lambdaContext } from './fixtures/order-events.ts';
import { measureRunners } from './lib/measure.ts';
import { ROOT } from './lib/machine.ts';
import { processRunner } from './lib/row-process.ts';
import { formatRatioBounds, formatSummary, ratioBounds, summarize } from './lib/stats.ts';
import { referenceSubscription, writeValidatorsModule } from './subjects/reference-flow.ts';

type RuntimeModule = typeof import('../lib/runtime/index.ts') & typeof import('../lib/runtime/dedupe/index.ts');
type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

const SAMPLE_BATCHES = 45;
const say = (line: string): void => void process.stderr.write(`${line}\n`);
/** Median (p25–p75), as the bench's tables print figures. */
const quartiles = (xs: readonly number[]): string => formatSummary(summarize(xs));

const workDir = join(ROOT, 'bench', '.tmp', `profile-runtime-${process.pid}`);
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

/** The runtime from `sourceRoot`/lib/runtime, bundled as the constructs bundle it, identifiers kept. */
async function buslineHandler(sourceRoot: string, name: string): Promise<Handler> {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'runtime-entry.mjs');
  writeFileSync(entry, [
    `export { wrapHandler } from ${JSON.stringify(join(sourceRoot, 'lib/runtime/index.ts'))};`,
    `export { InMemoryDedupeStore } from ${JSON.stringify(join(sourceRoot, 'lib/runtime/dedupe/index.ts'))};`,
    '',
  ].join('\n'));
  // PROFILE_SOURCES=1: the runtime's own modules (through tsx), so a profile names each function's file.
  const out = join(dir, 'runtime', 'index.mjs');
  if (process.env['PROFILE_SOURCES'] !== '1') {
    buildSync({ ...LAMBDA_BUNDLE_OPTIONS, minify: false, minifyWhitespace: true, minifySyntax: true, nodePaths: [join(ROOT, 'node_modules')], entryPoints: [entry], outfile: out });
  }
  const { wrapHandler, InMemoryDedupeStore } = (await import(pathToFileURL(process.env['PROFILE_SOURCES'] === '1' ? entry : out).href)) as RuntimeModule;
  const sub = referenceSubscription('reserve-inventory');
  const { validators } = (await import(pathToFileURL(writeValidatorsModule(dir, sub.validatorsModule)).href)) as { validators: ValidatorTable };
  return wrapHandler(async (_data: unknown) => {}, { config: sub.config, validators, dedupe: { store: new InMemoryDedupeStore() } }) as unknown as Handler;
}

/** Runs `batches` batches, each made just before it runs (not timed); µs per event, wall and CPU. */
async function sample(handler: Handler, next: () => SQSEvent, context: Context, batches: number): Promise<{ wall: number; cpu: number }> {
  let wall = 0;
  let cpu = 0;
  let events = 0;
  for (let b = 0; b < batches; b++) {
    const event = next();
    events += event.Records.length;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const response = await handler(event, context);
    wall += performance.now() - started;
    const used = process.cpuUsage(cpu0);
    cpu += used.user + used.system;
    if (response?.batchItemFailures.length) throw new Error(`failed records: ${JSON.stringify(response.batchItemFailures)}`);
  }
  return { wall: (wall * 1000) / events, cpu: cpu / events };
}

async function heapSampling(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => undefined;
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function profile(batches: number): Promise<void> {
  const rowKey = process.env['PROFILE_ROW'];
  const row = rowKey ? await (await import('./rows/runtime-overhead.ts')).createRow(rowKey, {}) : undefined;
  const handler = row ? (row.handler as Handler) : await buslineHandler(ROOT, 'this');
  const source = row?.next ?? batchSource('profile');
  // PROFILE_RECORDS=<n>: batches of the first n records only (a batch's fixed cost shows as the
  // difference in µs per event between n = 1 and n = 10).
  const records = Number(process.env['PROFILE_RECORDS'] ?? 10);
  // Each generated batch is cut into batches of n, so the generator's garbage per event stays the same.
  let pending: SQSEvent['Records'] = [];
  const next = records >= 10 ? source : (): SQSEvent => {
    if (pending.length === 0) pending = source().Records;
    return { Records: pending.splice(0, records) };
  };
  const context = lambdaContext();
  await sample(handler, next, context, 300);
  const stopHeap = await heapSampling(process.env['PROFILE_HEAP']);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let done = 0; done < batches; done += SAMPLE_BATCHES) {
    const s = await sample(handler, next, context, Math.min(SAMPLE_BATCHES, batches - done));
    walls.push(s.wall);
    cpus.push(s.cpu);
  }
  await stopHeap();
  say(`${rowKey ?? 'busline'} µs/event, wall: ${quartiles(walls)}; CPU: ${quartiles(cpus)} (${walls.length} samples of ${SAMPLE_BATCHES} batches)`);
}

async function compare(rounds: number): Promise<void> {
  const keys = ['bare', 'middy', 'busline'];
  const runners = [];
  for (const key of keys) runners.push(await processRunner(join(ROOT, 'bench', 'rows', 'runtime-overhead.ts'), key));
  try {
    const results = await measureRunners(runners, { rounds, targetSampleMs: 40, warmupMs: 300 });
    const busline = results[2]!.perEvent;
    for (const [i, r] of results.entries()) say(`${keys[i]}: ${formatSummary(r.perEvent)} µs/event; busline ÷ ${keys[i]}: ${formatRatioBounds(ratioBounds(busline, r.perEvent))}`);
  } finally {
    for (const r of runners) await r.close();
  }
}

async function ab(baseRoot: string, rounds: number, currentRoot = ROOT): Promise<void> {
  const base = await buslineHandler(baseRoot, 'base');
  const current = await buslineHandler(currentRoot, 'this');
  const nextBase = batchSource('base');
  const nextCurrent = batchSource('this');
  const context = lambdaContext();
  await sample(base, nextBase, context, 300);
  await sample(current, nextCurrent, context, 300);
  const ratios: number[] = [];
  const baseCpu: number[] = [];
  const currentCpu: number[] = [];
  const sampleBase = () => sample(base, nextBase, context, SAMPLE_BATCHES);
  const sampleCurrent = () => sample(current, nextCurrent, context, SAMPLE_BATCHES);
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs right after the other's garbage.
    let b: { cpu: number };
    let c: { cpu: number };
    if (round % 2 === 0) {
      b = await sampleBase();
      c = await sampleCurrent();
    } else {
      c = await sampleCurrent();
      b = await sampleBase();
    }
    baseCpu.push(b.cpu);
    currentCpu.push(c.cpu);
    ratios.push(c.cpu / b.cpu);
  }
  say(`CPU µs/event: base ${quartiles(baseCpu)}, this ${quartiles(currentCpu)}; this ÷ base, median of ${rounds} rounds: ${quartiles(ratios)}`);
}

const [mode = 'profile', arg1, arg2] = process.argv.slice(2);
if (mode === 'profile') await profile(Number(arg1 ?? 4000));
else if (mode === 'compare') await compare(Number(arg1 ?? 21));
else if (mode === 'ab' && arg1) await ab(arg1, Number(arg2 ?? 80), process.argv[5]);
else throw new Error('usage: profile-runtime.ts profile [batches] | compare [rounds] | ab <dir> [rounds]');
process.exit(0);
