/**
 * Routing alone: PutEvents over the wire → rule → SQS queue, no handlers. Every endpoint runs
 * in a process of its own and is driven by the same publisher processes (the AWS SDK v3
 * EventBridge client, 10 entries per call) at the same concurrency, with the same warm-up and
 * the same event count per run, rows interleaved (round 1 of every row, then round 2, …):
 *
 * - the local engine with 10 rules on the bus, and with 1,000 (one rule matches every event;
 *   the others match none), so the engine's cost per event can be set against the rule count;
 * - the parse-and-fsync floor (bench/lib/floor-endpoint.ts): parses the same requests and
 *   fsyncs them with the engine's group commit, nothing else — the limit of this machine;
 * - moto_server with the same 10 rules, measured as far as it goes in a time budget per run
 *   (it delivers each matched event in well over a millisecond).
 *
 * With BENCH_ROUTING_BASELINE=<another checkout>, that checkout's engine is one more row (10
 * rules), and the section gives this engine's ratios to it.
 *
 * Each run's routed messages (or written lines) are counted afterwards, so nothing is counted
 * that was not done.
 */
import { execFileSync } from 'node:child_process';
import type { BenchSection } from './section.ts';
import { formatNumber, formatRatioBounds, formatSummary, iqrBounds, ratioBounds, summarize } from './lib/stats.ts';
import { targetOf, targetRow, verdictSentence, type TargetRow } from './lib/targets.ts';
import { pythonPackageVersion } from './lib/python-version.ts';
import { startPublishers, type Publishers } from './support/publishers.ts';
import { cpuTimesMs } from './lib/proc.ts';
import { startEngineTarget, startFloorTarget, startMotoTarget, type RoutingTarget } from './support/routing-targets.ts';
import { motoServerMissing } from '../test/support/moto-server.ts';
import { ENGINE_AREAS, formatBreakdown, SAMPLED_BUSY_TIME, summarizeProfile, withCpuProfiles, type ProfileSummary } from './lib/cpu-profile.ts';

const RUNS = Number(process.env['BENCH_ROUTING_RUNS'] ?? 5);
const EVENTS = Number(process.env['BENCH_ROUTING_EVENTS'] ?? 40_000);
const WARMUP = Number(process.env['BENCH_ROUTING_WARMUP'] ?? 4_000);
const CONCURRENCY = Number(process.env['BENCH_ROUTING_CONCURRENCY'] ?? 48);
/** Publisher processes per endpoint (each with its own SDK client), so the client side can use more than one core. */
const PUBLISHERS = Number(process.env['BENCH_ROUTING_PUBLISHERS'] ?? 2);
const FEW_RULES = 10;
const MANY_RULES = Number(process.env['BENCH_ROUTING_MANY_RULES'] ?? 1_000);
/** moto's time budget per run (and for its warm-up): it stops at EVENTS or at this, whichever comes first. */
const MOTO_BUDGET_MS = Number(process.env['BENCH_MOTO_SECONDS'] ?? 10) * 1000;
/**
 * Rounds moto_server takes part in (the first ones). A call in flight cannot be recalled when
 * the budget ends, and at the same concurrency as the engine moto has hundreds of events in
 * flight that take it minutes to answer: one round by default keeps the section to minutes.
 */
const MOTO_RUNS = Number(process.env['BENCH_MOTO_RUNS'] ?? 1);

/**
 * Another checkout of this repository (an earlier commit) whose engine runs as one more row,
 * with the same 10 rules, publishers and rounds: the same bench code measures both engines, so
 * their ratio says whether routing got slower between the two commits.
 */
const BASELINE = process.env['BENCH_ROUTING_BASELINE'];

/** A profiled pass of the 10-rule engine after the measured rounds (set 0 to skip it). */
const PROFILE = process.env['BENCH_ROUTING_PROFILE'] !== '0';

const progress = (m: string) => process.stderr.write(`[bench] engine-routing: ${m}\n`);

interface Row {
  readonly key: 'engine' | 'engine-baseline' | 'engine-many' | 'floor' | 'moto';
  readonly target: RoutingTarget;
  readonly publishers: Publishers;
  readonly budgetMs?: number;
  /** Rounds this row takes part in. */
  readonly runs: number;
  readonly rates: number[];
  readonly sent: number[];
  readonly stoppedByTime: number[];
  readonly cpu: number[];
  readonly clientCpu: number[];
}

/** The short commit id a checkout is at, for its row's label. */
const commitOf = (checkout: string): string => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim();

const count = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<BenchSection> {
  const missing = MOTO_RUNS > 0 ? motoServerMissing() : 'BENCH_MOTO_RUNS=0';
  const rows: Row[] = [];
  const add = async (key: Row['key'], start: () => Promise<RoutingTarget>, budgetMs?: number, runs = RUNS) => {
    progress(`starting ${key}`);
    const target = await start();
    try {
      const publishers = await startPublishers(target.endpoint, PUBLISHERS);
      rows.push({ key, target, publishers, ...(budgetMs ? { budgetMs } : {}), runs, rates: [], sent: [], stoppedByTime: [], cpu: [], clientCpu: [] });
    } catch (error) {
      await target.stop();
      throw error;
    }
  };
  try {
    await add('engine', () => startEngineTarget(`busline local engine, ${FEW_RULES} rules`, FEW_RULES));
    if (BASELINE) await add('engine-baseline', () => startEngineTarget(`busline local engine at ${commitOf(BASELINE)}, ${FEW_RULES} rules`, FEW_RULES, { checkout: BASELINE }));
    await add('engine-many', () => startEngineTarget(`busline local engine, ${count(MANY_RULES)} rules`, MANY_RULES));
    await add('floor', () => startFloorTarget('parse-and-fsync floor (Node HTTP + the engine\'s group commit)'));
    if (!missing) await add('moto', () => startMotoTarget(`moto_server (${pythonPackageVersion('moto_server', 'moto')}), ${FEW_RULES} rules`, FEW_RULES), MOTO_BUDGET_MS, Math.min(MOTO_RUNS, RUNS));

    for (const row of rows) {
      progress(`warming up ${row.key}`);
      await row.publishers.route(WARMUP, CONCURRENCY, -WARMUP, row.budgetMs);
    }
    for (let r = 0; r < RUNS; r++) {
      progress(`round ${r + 1}/${RUNS}`);
      for (const row of rows) {
        if (r >= row.runs) continue;
        await row.target.reset();
        const before = cpuTimesMs(row.target.pid)?.own;
        const result = await row.publishers.route(EVENTS, CONCURRENCY, r * EVENTS, row.budgetMs);
        const after = cpuTimesMs(row.target.pid)?.own;
        await row.target.check(result.sent);
        row.rates.push(result.rate);
        row.sent.push(result.sent);
        row.clientCpu.push(result.clientCpu);
        if (result.stoppedBy === 'time') row.stoppedByTime.push(r);
        if (before !== undefined && after !== undefined && result.sent > 0) row.cpu.push(((after - before) * 1000) / result.sent); // ms → µs per event
      }
    }
  } finally {
    for (const row of rows) {
      await row.publishers.close();
      await row.target.stop();
    }
  }
  return section(rows, missing, PROFILE ? await profiledEngine() : undefined);
}

/**
 * The 10-rule engine again, under node --cpu-prof, for the same warm-up and event count: where
 * its main thread's time goes. Profiling slows the process, so only the shares are comparable
 * with the measured rows.
 */
async function profiledEngine(): Promise<{ summary: ProfileSummary; events: number }> {
  progress('profiled pass');
  return withCpuProfiles(async (profiling) => {
    const target = await startEngineTarget('profiled engine', FEW_RULES, { cpuProfileDir: profiling.dir });
    let pid: number | undefined;
    try {
      pid = target.pid;
      const publishers = await startPublishers(target.endpoint, PUBLISHERS);
      try {
        await publishers.route(WARMUP, CONCURRENCY, -WARMUP);
        await target.reset();
        const result = await publishers.route(EVENTS, CONCURRENCY, 0);
        await target.check(result.sent);
      } finally {
        await publishers.close();
      }
    } finally {
      await target.stop();
    }
    return { summary: summarizeProfile(profiling.mainThread(pid!), ENGINE_AREAS), events: WARMUP + EVENTS };
  });
}

function section(rows: readonly Row[], motoMissing: string | false, profile?: { summary: ProfileSummary; events: number }): BenchSection {
  const by = (key: Row['key']) => rows.find((r) => r.key === key);
  const stats = (row: Row) => ({ rate: summarize(row.rates), cpu: row.cpu.length > 0 ? summarize(row.cpu) : undefined, client: summarize(row.clientCpu), sent: summarize(row.sent) });
  const table = rows.map((row) => {
    const s = stats(row);
    const stopped = row.stoppedByTime.length === 0 ? 'event count' : `time budget (${MOTO_BUDGET_MS / 1000} s) in ${row.stoppedByTime.length} of ${row.rates.length} runs`;
    return [
      row.target.label,
      String(row.rates.length),
      count(EVENTS),
      count(s.sent.median),
      stopped,
      formatSummary(s.rate),
      s.cpu ? formatSummary(s.cpu) : 'n/a',
      s.cpu ? count(1e6 / s.cpu.median) : 'n/a',
      formatNumber(s.client.median),
    ];
  });

  const notes = [
    `PutEvents over HTTP, ${PUBLISHERS} publisher processes per endpoint (the AWS SDK v3 EventBridge client, 10 entries per call), ${CONCURRENCY} calls in flight in all, for every row; each endpoint warmed up with ${count(WARMUP)} events first, then ${RUNS} interleaved rounds of ${count(EVENTS)} events per row${by('moto') ? ` (moto_server in the first ${by('moto')!.runs})` : ''}. Rules: one matches every event (detail-type and a numeric filter on data) and sends it to a queue; the others match none (half another detail-type, half the same detail-type with a customer no event has) and target a second queue, which must stay empty.`,
    'The engine acknowledges each PutEvents only after the events, their archive copies and the enqueued messages are fsynced (group commit). The floor parses the same requests and each Detail, writes one line per event with the same group commit (lib/local/store/append-file.ts) and answers after the fsync: nothing else.',
    'events/s is wall clock, first PutEvents to last answer, with the endpoint and its publishers sharing the machine; "µs/event" is the endpoint process\'s own CPU time (all threads, from /proc) per event; capacity = 1e6 ÷ that, what one core of it can take; the publishers\' CPU per event is the last column.',
  ];
  const targets: TargetRow[] = [];
  const engine = by('engine');
  const engineStats = engine && stats(engine);
  const floor = by('floor');
  const many = by('engine-many');
  if (engineStats?.cpu) {
    const b = iqrBounds(engineStats.cpu);
    notes.push(verdictSentence('engine CPU per routed event', b, targetOf('engine-cpu-per-event'), ' µs'));
    targets.push(targetRow('engine-cpu-per-event', b, (x) => `${formatNumber(x.median)} µs (${formatNumber(x.lower)}–${formatNumber(x.upper)})`));
  }
  if (engineStats && floor) {
    const b = ratioBounds(engineStats.rate, stats(floor).rate);
    notes.push(verdictSentence('engine routing events/s ÷ the floor\'s', b, targetOf('routing-vs-floor'), '×'));
    targets.push(targetRow('routing-vs-floor', b, formatRatioBounds));
    const floorCpu = stats(floor).cpu;
    if (engineStats.cpu && floorCpu) notes.push(`Engine CPU per event ÷ the floor's: ${formatRatioBounds(ratioBounds(engineStats.cpu, floorCpu))}.`);
  }
  if (engineStats?.cpu && many) {
    const manyCpu = stats(many).cpu;
    if (manyCpu) {
      const b = ratioBounds(manyCpu, engineStats.cpu);
      notes.push(verdictSentence(`engine CPU per event, ${count(MANY_RULES)} rules ÷ ${FEW_RULES} rules`, b, targetOf('rules-1000-vs-10'), '×'));
      if (MANY_RULES === 1_000) targets.push(targetRow('rules-1000-vs-10', b, formatRatioBounds));
    }
  }
  const baseline = by('engine-baseline');
  if (engineStats && baseline) {
    const b = stats(baseline);
    const cpu = engineStats.cpu && b.cpu ? `; CPU per event ${formatRatioBounds(ratioBounds(engineStats.cpu, b.cpu))}` : '';
    notes.push(`This engine ÷ ${baseline.target.label} (same bench code, rounds interleaved): events/s ${formatRatioBounds(ratioBounds(engineStats.rate, b.rate))}${cpu}.`);
  }
  const moto = by('moto');
  if (moto && engineStats) {
    const m = stats(moto);
    const stoppedBy = moto.stoppedByTime.length === 0 ? `every run sent all ${count(EVENTS)} events within the budget` : `the ${MOTO_BUDGET_MS / 1000} s budget stopped ${moto.stoppedByTime.length} of ${moto.rates.length} runs (median ${count(m.sent.median)} of ${count(EVENTS)} events sent)`;
    notes.push(`moto_server: the same publishers, concurrency and warm-up, each run stopped at ${count(EVENTS)} events or ${MOTO_BUDGET_MS / 1000} s, whichever came first: ${stoppedBy}; the calls already in flight when the budget ends are waited for and counted in its time. Engine events/s ÷ moto_server's: ${formatRatioBounds(ratioBounds(engineStats.rate, m.rate))}.`);
  } else if (motoMissing) {
    notes.push(`moto_server not measured: ${motoMissing}.`);
  }
  if (profile) {
    notes.push(`Where the 10-rule engine's main thread spends its time (a separate run under node --cpu-prof, ${count(profile.events)} events with the warm-up, start-up left out; shares of its busy time, ${SAMPLED_BUSY_TIME}): ${formatBreakdown(profile.summary)}.`);
  }
  return {
    title: 'Local engine: routing (PutEvents → rule → queue), against the parse-and-fsync floor and moto_server',
    columns: ['endpoint', 'runs', 'events asked per run', 'events sent per run (median)', 'run stopped by', 'events/s, median (IQR)', 'endpoint CPU µs/event (IQR)', 'capacity (events/s/core)', 'SDK client µs/event'],
    rows: table,
    notes,
    targets,
  };
}

