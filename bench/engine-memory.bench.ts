/**
 * Engine memory and disk over a long run: EVENTS events through the routing path (PutEvents →
 * 10 rules → queue, bench/support/routing-targets.ts) into an engine in its own process,
 * its resident set size read every SAMPLE_EVERY events, and its state folder's size at the end.
 * The queue is purged after every sample, as a consumer would empty it, so what grows is the
 * engine's own state (archive, journal, logs), not a backlog the run left.
 *
 * Beside RSS, each sample reads the engine's own `process.memoryUsage()` (no collection forced, so
 * the run is not changed by it): the V8 heap's committed size and what is in use, and memory
 * outside the heap (Buffers). The live heap after a full collection is read twice, before the
 * first event and after the last, so growth of what the engine keeps shows apart from the
 * garbage collector's sawtooth.
 *
 * Then retention (lib/local/retention.ts) is applied to the state folder the run left, from the
 * engine's own Journal and EventArchive with no engine running, at a time that cuts the run in half:
 * what it dropped, how long that took and the folder's size after.
 *
 * Not the reference flow: each order there runs four handler invocations, and 200,000 orders
 * would take the run far past its time budget; the routing path carries the same events into
 * the same bus, archive, journal and queue store.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchSection } from './section.ts';
import { formatNumber } from './lib/stats.ts';
import { targetRow, verdictSentence, targetOf, type TargetRow } from './lib/targets.ts';
import { startPublishers } from './support/publishers.ts';
import { rssBytes } from './lib/proc.ts';
import { startEngineTarget } from './support/routing-targets.ts';
import { EventArchive } from '../lib/local/eventbridge/archive.ts';
import { Journal } from '../lib/local/journal/journal.ts';
import { applyRetention, type RetentionReport } from '../lib/local/retention.ts';

const EVENTS = Number(process.env['BENCH_MEMORY_EVENTS'] ?? 200_000);
const SAMPLE_EVERY = Number(process.env['BENCH_MEMORY_SAMPLE_EVERY'] ?? 10_000);
const BUDGET_MS = Number(process.env['BENCH_MEMORY_SECONDS'] ?? 300) * 1000;
const CONCURRENCY = Number(process.env['BENCH_ROUTING_CONCURRENCY'] ?? 48);
const PUBLISHERS = Number(process.env['BENCH_ROUTING_PUBLISHERS'] ?? 2);
const RULES = 10;
const MB = 1e6;

const progress = (m: string) => process.stderr.write(`[bench] engine-memory: ${m}\n`);

export interface RssSample {
  readonly events: number;
  readonly rss: number;
}

interface MemorySample extends RssSample {
  /** The engine's process.memoryUsage() right after the RSS reading. */
  readonly usage: NodeJS.MemoryUsage;
}

/**
 * Whether RSS stays flat after the first quarter of the run: the largest sample after the
 * quarter divided by the largest up to it (the quarter's sample is the first taken at or past a
 * quarter of the events). Peak against peak: a single reading lands anywhere on the garbage
 * collector's sawtooth, so the sample at the quarter alone can be a trough (158 MB at 50,000
 * events in one run, after 173 MB at 30,000), while growth after the quarter still shows as a
 * later peak above the first quarter's.
 */
export function flatness(samples: readonly RssSample[]): { quarterPeak: RssSample; atQuarter: RssSample; maxAfter: number; ratio: number } | undefined {
  const total = samples[samples.length - 1]?.events ?? 0;
  const q = samples.findIndex((s) => s.events >= total / 4);
  const after = samples.slice(q + 1);
  if (q < 0 || after.length === 0) return undefined;
  const atQuarter = samples[q]!;
  const quarterPeak = samples.slice(0, q + 1).reduce((a, s) => (s.rss > a.rss ? s : a));
  const maxAfter = Math.max(...after.map((s) => s.rss));
  return { quarterPeak, atQuarter, maxAfter, ratio: maxAfter / quarterPeak.rss };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 7;

interface RetentionRun {
  readonly report: RetentionReport;
  readonly ms: number;
  readonly sizes: Map<string, number>;
}

/**
 * Applies retention to the stopped engine's state folder as the engine does at start, with the
 * clock where records of the run's first half are older than RETENTION_DAYS (the bench's bus has
 * no archive declared, so its archive keeps the journal's days).
 */
async function retentionAtMidpoint(stateDir: string, firstEventAt: number, lastEventAt: number): Promise<RetentionRun> {
  const journal = await Journal.open(join(stateDir, 'journal'));
  const archive = await EventArchive.open(join(stateDir, 'archive'));
  try {
    const now = (firstEventAt + lastEventAt) / 2 + RETENTION_DAYS * DAY_MS;
    const started = performance.now();
    const report = await applyRetention({ journal, archive, archives: [], now, journalRetentionDays: RETENTION_DAYS });
    const ms = performance.now() - started;
    return { report, ms, sizes: await folderSizes(stateDir) };
  } finally {
    await journal.close();
    await archive.close();
  }
}

/** Bytes of every file under `dir`, by its top-level entry. */
async function folderSizes(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const walk = async (path: string): Promise<number> => {
    const s = await stat(path);
    if (!s.isDirectory()) return s.size;
    let total = 0;
    for (const entry of await readdir(path)) total += await walk(join(path, entry));
    return total;
  };
  for (const entry of await readdir(dir)) sizes.set(entry, await walk(join(dir, entry)));
  return sizes;
}

export async function run(): Promise<BenchSection> {
  const target = await startEngineTarget(`busline local engine, ${RULES} rules`, RULES, { memory: true });
  const samples: MemorySample[] = [];
  const live: { start?: number; end?: number } = {};
  let stoppedBy: 'events' | 'time' = 'events';
  let sizes: Map<string, number>;
  let retention!: RetentionRun;
  const started = Date.now();
  let firstEventAt = 0;
  let lastEventAt = 0;
  try {
    const publishers = await startPublishers(target.endpoint, PUBLISHERS);
    try {
      await target.reset();
      live.start = (await target.memoryUsage!(true)).heapUsed;
      if (rssBytes(target.pid) === undefined) throw new Error('engine RSS is read from /proc/<pid>/status: this section runs on Linux only');
      const sample = async (events: number): Promise<MemorySample> => ({ events, rss: rssBytes(target.pid)!, usage: await target.memoryUsage!(false) });
      samples.push(await sample(0));
      firstEventAt = Date.now();
      let sent = 0;
      while (sent < EVENTS) {
        if (Date.now() - started > BUDGET_MS) {
          stoppedBy = 'time';
          break;
        }
        const chunk = await publishers.route(Math.min(SAMPLE_EVERY, EVENTS - sent), CONCURRENCY, sent);
        await target.check(chunk.sent);
        await target.reset();
        sent += chunk.sent;
        samples.push(await sample(sent));
        if (samples.length % 5 === 0) progress(`${sent.toLocaleString('en-US')} events`);
      }
      lastEventAt = Date.now();
      live.end = (await target.memoryUsage!(true)).heapUsed;
    } finally {
      await publishers.close();
    }
    sizes = await folderSizes(target.stateDir!);
  } finally {
    await target.stop(async (stateDir) => {
      progress('retention at the run\'s midpoint');
      retention = await retentionAtMidpoint(stateDir, firstEventAt, lastEventAt);
    });
  }
  return section(samples, { start: live.start!, end: live.end! }, stoppedBy, sizes, Date.now() - started, retention);
}

/** What retention at the run's midpoint dropped, in how long, and the folder after it. */
function retentionNote(run: RetentionRun, bytesBefore: number, mb: (bytes: number) => string): string {
  const after = [...run.sizes.values()].reduce((a, b) => a + b, 0);
  const archived = Object.values(run.report.archive).reduce((a, d) => ({ lines: a.lines + d.lines, bytes: a.bytes + d.bytes }), { lines: 0, bytes: 0 });
  return `Retention (${RETENTION_DAYS} days) applied to that folder at a time that makes the run's first half older than it, as the engine applies it at start and every hour (lib/local/retention.ts; the engine stopped, its Journal and EventArchive opened on the folder): `
    + `it dropped ${run.report.journal.lines.toLocaleString('en-US')} journal records (${mb(run.report.journal.bytes)}) and ${archived.lines.toLocaleString('en-US')} archived events (${mb(archived.bytes)}) in ${formatNumber(run.ms / 1000)} s; `
    + `the folder went from ${mb(bytesBefore)} to ${mb(after)} (${[...run.sizes].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${mb(bytes)}`).join(', ')}).`;
}

/** The smallest and largest of `values`, in MB, as "a–b MB". */
function span(values: readonly number[]): string {
  return `${formatNumber(Math.min(...values) / MB)}–${formatNumber(Math.max(...values) / MB)} MB`;
}

function section(samples: readonly MemorySample[], live: { start: number; end: number }, stoppedBy: 'events' | 'time', sizes: ReadonlyMap<string, number>, elapsedMs: number, retention: RetentionRun): BenchSection {
  const last = samples[samples.length - 1]!;
  const max = samples.reduce((a, s) => (s.rss > a.rss ? s : a));
  const flat = flatness(samples);
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const mb = (bytes: number) => `${formatNumber(bytes / MB)} MB`;
  const notes = [
    `PutEvents from ${PUBLISHERS} publisher processes, ${CONCURRENCY} calls in flight, 10 entries per call; RSS (VmRSS of the engine process) read after every ${SAMPLE_EVERY.toLocaleString('en-US')} events, the queue purged after each sample. The run stops at ${EVENTS.toLocaleString('en-US')} events or ${BUDGET_MS / 1000} s: ${stoppedBy === 'events' ? `all ${last.events.toLocaleString('en-US')} events sent` : `the time budget stopped it at ${last.events.toLocaleString('en-US')} events`}, in ${formatNumber(elapsedMs / 1000)} s.`,
    `Max RSS ${mb(max.rss)} (after ${max.events.toLocaleString('en-US')} events); ${flat ? `up to the first quarter (${flat.atQuarter.events.toLocaleString('en-US')} events) the largest sample was ${mb(flat.quarterPeak.rss)} (at ${flat.quarterPeak.events.toLocaleString('en-US')} events), after it ${mb(flat.maxAfter)}, ${formatNumber(flat.ratio)}× the first quarter's peak; the sample at the quarter itself read ${mb(flat.atQuarter.rss)}` : 'too few samples to judge the rest of the run against its first quarter'}.`,
    `State folder at the end: ${mb(totalBytes)} (${[...sizes].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => `${name} ${mb(bytes)}`).join(', ')}), ${formatNumber(totalBytes / Math.max(1, last.events))} bytes per event.`,
    retentionNote(retention, totalBytes, mb),
    'One run: max RSS and the flatness ratio are single measurements (their bounds are the figure itself).',
  ];
  const rest = samples.slice(Math.max(1, samples.findIndex((x) => x.events >= last.events / 4) + 1));
  if (rest.length > 0) {
    notes.push(
      `Where RSS goes (the engine's process.memoryUsage() at each sample, no collection forced): after the first quarter RSS read ${span(rest.map((x) => x.rss))}, of which the V8 heap's committed size ${span(rest.map((x) => x.usage.heapTotal))} (in use at the reading ${span(rest.map((x) => x.usage.heapUsed))}), memory outside the heap (Buffers) ${span(rest.map((x) => x.usage.external))}, and the rest (code, native, the allocator) ${span(rest.map((x) => x.rss - x.usage.heapTotal - x.usage.external))}. The live heap after a full garbage collection: ${mb(live.start)} before the first event, ${mb(live.end)} after the last.`,
    );
  }
  const targets: TargetRow[] = [];
  const one = (x: number) => ({ median: x, lower: x, upper: x });
  const full = last.events >= 200_000;
  notes.push(verdictSentence(`engine RSS over ${last.events.toLocaleString('en-US')} events, max`, one(max.rss / MB), targetOf('engine-rss-max'), ' MB'));
  if (full) targets.push(targetRow('engine-rss-max', one(max.rss / MB), (b) => `${formatNumber(b.median)} MB over ${last.events.toLocaleString('en-US')} events`));
  if (flat) {
    notes.push(verdictSentence('engine RSS peak after the first quarter ÷ peak up to it', one(flat.ratio), targetOf('engine-rss-flat'), '×'));
    if (full) targets.push(targetRow('engine-rss-flat', one(flat.ratio), (b) => `${formatNumber(b.median)}×`));
  }
  if (!full) notes.push(`Fewer than 200,000 events were routed, so the issue's RSS targets are left unanswered in the targets table.`);
  return {
    title: 'Local engine: memory and disk over a long run (routing path)',
    columns: ['events routed', 'engine RSS', 'V8 heap, committed', 'V8 heap, in use', 'outside the heap (Buffers)'],
    rows: samples.map((s) => [s.events.toLocaleString('en-US'), mb(s.rss), mb(s.usage.heapTotal), mb(s.usage.heapUsed), mb(s.usage.external)]),
    notes,
    targets,
  };
}
