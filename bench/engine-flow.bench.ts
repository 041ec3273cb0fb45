/**
 * The reference flow end to end in the local engine (run as `busline dev` in its own
 * process): order.placed → reserve-inventory (queue) → inventory.reserved → schedule-shipment
 * (queue) → shipment.scheduled → notify-customer (direct), plus customer-history (FIFO).
 *
 * - Sustained throughput: ORDERS orders published as fast as PutEvents takes them (10 per
 *   call, 8 calls in flight); orders/s = orders ÷ time until the last Notifications write.
 * - Latency at 20 orders/s: one order every 50 ms for LATENCY_SECONDS; per order, from just
 *   before its PutEvents call to the commit of its Notifications item by notify-customer (the
 *   journal's table.written record of that write, same clock), three hops.
 * Each figure is the median of RUNS runs on one warm engine, with its IQR and min–max; the
 * issue's targets are judged on the IQR bound.
 */
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BenchSection } from './section.ts';
import { formatNumber, formatSummary, iqrBounds, summarize } from './lib/stats.ts';
import { targetOf, targetRow, verdictSentence } from './lib/targets.ts';
import {
  clients, flowNames, order, referenceAssembly, startEngineProcess, tempStateDir, type FlowClients,
} from '../test/local/support/reference-flow.ts';
import { readJournal } from '../lib/cli/journal-file.ts';
import type { JournalRecord } from '../lib/local/journal/types.ts';
import { formatBreakdownSteps, latencyBreakdown, type TracedEvent } from './lib/latency-breakdown.ts';
import { DEFAULT_WORKERS_PER_FUNCTION } from '../lib/local/lambda/function-runner.ts';
import { childPids, cpuTimesMs } from './lib/proc.ts';
import { ENGINE_AREAS, formatBreakdown, SAMPLED_BUSY_TIME, summarizeProfile, withCpuProfiles, type ProfileSummary } from './lib/cpu-profile.ts';

const RUNS = Number(process.env.BENCH_FLOW_RUNS ?? 3);
const ORDERS = Number(process.env.BENCH_FLOW_ORDERS ?? 600);
const LATENCY_SECONDS = Number(process.env.BENCH_FLOW_LATENCY_SECONDS ?? 15);
const RATE_PER_SECOND = 20;
/** Execution environments per function (busline dev --concurrency). */
const CONCURRENCY = process.env.BENCH_FLOW_CONCURRENCY;
/** A throughput run of its own under node --cpu-prof, for where the engine's time goes (BENCH_FLOW_PROFILE=0: none). */
const PROFILE = process.env.BENCH_FLOW_PROFILE !== '0';
const progress = (m: string) => process.stderr.write(`[bench] engine-flow: ${m}\n`);

interface Tracker {
  /** order id (= its correlationId) → when its Notifications item was committed (ms since epoch). */
  readonly notifiedAt: Map<string, number>;
  poll(): void;
}

/** Follows the journal for the commits of Notifications items, keyed by orderId (the bench's orders use their id as correlationId and orderId). */
function journalTracker(stateDir: string, notificationsTable: string): Tracker {
  const file = join(stateDir, 'journal', 'journal.jsonl');
  const notifiedAt = new Map<string, number>();
  let offset = 0;
  return {
    notifiedAt,
    poll() {
      const next = readJournal(file, offset);
      offset = next.offset;
      for (const r of next.records) {
        if (r.kind !== 'table.written') continue;
        for (const item of r.items) {
          if (item.table !== notificationsTable || item.op !== 'Put') continue;
          const orderId = (JSON.parse(item.key) as { orderId?: { S?: string } }).orderId?.S;
          if (orderId !== undefined && !notifiedAt.has(orderId)) notifiedAt.set(orderId, Date.parse(r.at));
        }
      }
    },
  };
}

async function publish(c: FlowClients, busName: string, ids: readonly string[]): Promise<void> {
  const out = await c.events.send(new PutEventsCommand({
    Entries: ids.map((id) => ({
      EventBusName: busName, Source: 'shop.orders', DetailType: 'order.placed',
      Detail: JSON.stringify({ metadata: { id, correlationId: id, schemaVersion: 1, publishedAt: new Date().toISOString() }, data: order(id) }),
    })),
  }));
  if (out.FailedEntryCount) throw new Error(`PutEvents rejected ${out.FailedEntryCount} entries`);
}

async function waitAll(tracker: Tracker, ids: readonly string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    tracker.poll();
    if (ids.every((id) => tracker.notifiedAt.has(id))) return Math.max(...ids.map((id) => tracker.notifiedAt.get(id)!));
    if (Date.now() > deadline) {
      const missing = ids.filter((id) => !tracker.notifiedAt.has(id)).length;
      throw new Error(`${missing} of ${ids.length} orders not notified within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * CPU time (user + system, in ms) used by the engine process itself (all its threads: engine,
 * dynalite, worker-thread execution environments) and by its child processes (execution
 * environments of functions whose runtime's Node is not the engine's), apart; Linux only
 * (undefined elsewhere). Per order it is a figure that other work on a shared machine barely
 * moves, unlike orders/s.
 */
function processCpuMs(pid: number | undefined): { engine: number; children: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    return { engine: ownCpuMs(pid), children: childPids(pid).reduce((sum, child) => sum + treeCpuMs(child), 0) };
  } catch {
    return undefined;
  }
}

/** A process's own CPU and that of its ended children, in ms. */
function ownCpuMs(pid: number): number {
  const times = cpuTimesMs(pid);
  if (!times) throw new Error(`no CPU times for process ${pid} in /proc`);
  return times.own + times.endedChildren;
}

function treeCpuMs(pid: number): number {
  return ownCpuMs(pid) + childPids(pid).reduce((sum, child) => sum + treeCpuMs(child), 0);
}

async function throughputRun(c: FlowClients, busName: string, tracker: Tracker, tag: string): Promise<number> {
  const ids = Array.from({ length: ORDERS }, (_, i) => `tp-${tag}-${i}`);
  const start = Date.now();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 10) chunks.push(ids.slice(i, i + 10));
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < chunks.length) await publish(c, busName, chunks[next++]!);
  }));
  const last = await waitAll(tracker, ids, 300_000);
  return ORDERS / ((last - start) / 1000);
}

interface LatencyRun {
  /** Each order's latency, ascending (ms). */
  readonly sorted: number[];
  /** Each order with its journal records, for the breakdown. */
  readonly traced: TracedEvent[];
}

async function latencyRun(c: FlowClients, busName: string, tracker: Tracker, tag: string, journalFile: string): Promise<LatencyRun> {
  const count = LATENCY_SECONDS * RATE_PER_SECOND;
  const sentAt = new Map<string, number>();
  const start = Date.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE_PER_SECOND;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `lat-${tag}-${i}`;
    sentAt.set(id, Date.now());
    sends.push(publish(c, busName, [id]));
  }
  await Promise.all(sends);
  await waitAll(tracker, [...sentAt.keys()], 120_000);
  const byOrder = new Map<string, JournalRecord[]>();
  for (const r of readJournal(journalFile).records) if (r.correlationId && sentAt.has(r.correlationId)) (byOrder.get(r.correlationId) ?? byOrder.set(r.correlationId, []).get(r.correlationId)!).push(r);
  const traced = [...sentAt].map(([id, t]) => ({ sentAt: t, doneAt: tracker.notifiedAt.get(id)!, records: byOrder.get(id) ?? [] }));
  return { sorted: traced.map((o) => o.doneAt - o.sentAt).sort((a, b) => a - b), traced };
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const ENGINE_ARGS = ['--quiet', ...(CONCURRENCY ? ['--concurrency', CONCURRENCY] : [])];

/** Every function's execution environments cold-start once, outside the measured runs. */
async function warmUp(c: FlowClients, busName: string, tracker: Tracker): Promise<void> {
  const warm = Array.from({ length: 20 }, (_, i) => `warm-${i}`);
  await publish(c, busName, warm.slice(0, 10));
  await publish(c, busName, warm.slice(10));
  await waitAll(tracker, warm, 120_000);
}

/**
 * One throughput run on a fresh engine under node --cpu-prof: where the engine process's main
 * thread spends its time. Profiling slows the process, so only the shares are comparable.
 */
async function profiledThroughputRun(assembly: string, notificationsTable: string, busName: string): Promise<ProfileSummary> {
  progress('profiled throughput run');
  const stateDir = tempStateDir();
  try {
    return await withCpuProfiles(async (profiling) => {
      const engine = await startEngineProcess(assembly, stateDir, ENGINE_ARGS, profiling.nodeArgs);
      try {
        const c = clients(engine.endpoint);
        const tracker = journalTracker(stateDir, notificationsTable);
        await warmUp(c, busName, tracker);
        await throughputRun(c, busName, tracker, 'profiled');
      } finally {
        await engine.stop();
      }
      return summarizeProfile(profiling.mainThread(engine.child.pid!), ENGINE_AREAS);
    });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const assembly = await referenceAssembly();
  const names = flowNames(assembly);
  const notificationsTable = names.table('Notifications');
  const section = await measuredRuns(assembly, notificationsTable, names.busName);
  if (!PROFILE) return section;
  const profile = await profiledThroughputRun(assembly, notificationsTable, names.busName);
  return {
    ...section,
    notes: [...section.notes ?? [], `Where the engine process's main thread spends its time in a throughput run (a separate run of ${ORDERS} orders under node --cpu-prof, module loading left out; shares of its busy time, ${SAMPLED_BUSY_TIME}): ${formatBreakdown(profile)}. The handlers' own work (the runtime, the AWS SDK calls they make) runs in their execution environments, counted in the child-process CPU row, not here.`],
  };
}

async function measuredRuns(assembly: string, notificationsTable: string, busName: string): Promise<BenchSection> {
  const stateDir = tempStateDir();
  const engine = await startEngineProcess(assembly, stateDir, ENGINE_ARGS);
  try {
    const c = clients(engine.endpoint);
    const tracker = journalTracker(stateDir, notificationsTable);
    await warmUp(c, busName, tracker);

    const throughput: number[] = [];
    const cpuPerOrder: number[] = [];
    const engineCpuPerOrder: number[] = [];
    const childCpuPerOrder: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    const traced: TracedEvent[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cpuBefore = processCpuMs(engine.child.pid);
      throughput.push(await throughputRun(c, busName, tracker, String(i)));
      const cpuAfter = processCpuMs(engine.child.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        engineCpuPerOrder.push((cpuAfter.engine - cpuBefore.engine) / ORDERS);
        childCpuPerOrder.push((cpuAfter.children - cpuBefore.children) / ORDERS);
        cpuPerOrder.push(engineCpuPerOrder.at(-1)! + childCpuPerOrder.at(-1)!);
      }
      const lat = await latencyRun(c, busName, tracker, String(i), join(stateDir, 'journal', 'journal.jsonl'));
      p50.push(pct(lat.sorted, 50));
      p99.push(pct(lat.sorted, 99));
      traced.push(...lat.traced);
    }
    const sustained = summarize(throughput);
    const p99s = summarize(p99);
    const p50s = summarize(p50);
    const sustainedRow = targetRow('flow-sustained', iqrBounds(sustained), (x) => `${formatNumber(x.median)} orders/s (${formatNumber(x.lower)}–${formatNumber(x.upper)})`);
    const p99Row = targetRow('flow-p99', iqrBounds(p99s), (x) => `${formatNumber(x.median)} ms (${formatNumber(x.lower)}–${formatNumber(x.upper)})`);
    const spreadOf = (xs: readonly number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    return {
      title: 'Local engine: reference flow end to end (PutEvents → 3 hops → Notifications write)',
      columns: ['measure', 'median (IQR)', 'min–max', 'target', 'verdict (IQR bound)'],
      rows: [
        ['sustained orders/s', formatSummary(sustained), spreadOf(throughput, 1), sustainedRow.target, sustainedRow.verdict],
        ...(cpuPerOrder.length ? [
          ['engine CPU per order in the throughput runs (ms), all processes', formatSummary(summarize(cpuPerOrder)), spreadOf(cpuPerOrder, 1), '—', '—'],
          ['… of which the engine process (engine, dynalite, worker-thread environments)', formatSummary(summarize(engineCpuPerOrder)), spreadOf(engineCpuPerOrder, 1), '—', '—'],
          ['… of which child-process environments (handlers on their runtime\'s Node)', formatSummary(summarize(childCpuPerOrder)), spreadOf(childCpuPerOrder, 1), '—', '—'],
        ] : []),
        [`p50 latency at ${RATE_PER_SECOND} orders/s (ms)`, formatSummary(p50s), spreadOf(p50), '—', '—'],
        [`p99 latency at ${RATE_PER_SECOND} orders/s (ms)`, formatSummary(p99s), spreadOf(p99), p99Row.target, p99Row.verdict],
      ],
      notes: [
        `${RUNS} runs on one warm engine (busline dev in its own process, handlers in execution environments (worker threads, or child processes on the runtime's Node), ${CONCURRENCY ?? DEFAULT_WORKERS_PER_FUNCTION} per function); ${ORDERS} orders per throughput run, ${LATENCY_SECONDS * RATE_PER_SECOND} per latency run; load average at the end ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores.`,
        'Each order runs four handlers (reserve-inventory, customer-history, schedule-shipment, notify-customer) and their DynamoDB writes (dynalite, in process).',
        'Latency ends when notify-customer\'s Notifications item is committed (the journal\'s table.written record of that transaction), measured on the same clock as the publish; sustained throughput ends at the last order\'s. Until 2026-12-07 both ended at the end of the notify-customer invocation (invocation.finished), a few ms later.',
        verdictSentence('reference flow sustained', iqrBounds(sustained), targetOf('flow-sustained'), ' orders/s'),
        verdictSentence(`p99 latency at ${RATE_PER_SECOND} orders/s`, iqrBounds(p99s), targetOf('flow-p99'), ' ms'),
        `Where the latency goes (the journal's records of each order cut its publish-to-notification time into steps; mean per order over all ${traced.length} latency orders, and over the slowest 1%), the five largest in the tail: ${formatBreakdownSteps(latencyBreakdown(traced))}.`,
      ],
      targets: [sustainedRow, p99Row],
    };
  } finally {
    await engine.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await run();
  console.log(`## ${section.title}\n`);
  console.log(`| ${section.columns.join(' | ')} |\n|${section.columns.map(() => '---').join('|')}|`);
  for (const row of section.rows) console.log(`| ${row.join(' | ')} |`);
  for (const note of section.notes ?? []) console.log(`\n${note}`);
}
