/**
 * Issue 20, fast start: how long `busline dev` takes to serve, and the engine's own start on a
 * big state folder.
 * - dev ready, first start: `busline dev` on the repository's app (bin/app.ts) with an empty
 *   synth cache, spawn → "Busline local engine on http://…" (synthesis included);
 * - dev ready, nothing changed: the same again with the cache the first start filled;
 * - engine start: LocalEngine.start (recovery included) in a fresh process, on a state folder
 *   holding 100,000 messages and a journal of 1,000,000 records (dev-start/big-state.ts), wall
 *   and CPU time (the CPU time is what a machine shared with other work disturbs least).
 * Rounds alternate first and cached starts, each on a fresh state folder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './section.ts';
import { runChild } from './lib/child.ts';
import { ROOT } from './lib/machine.ts';
import { formatSummary, iqrBounds, summarize } from './lib/stats.ts';
import { atMost, verdictSentence } from './lib/targets.ts';
import { buildBigState, type BigStateSize } from './dev-start/big-state.ts';
import { SYNTH_CACHE_ENV } from '../lib/cli/dev-assembly.ts';

const RUNS = Number(process.env.BENCH_DEVSTART_RUNS ?? 5);
const ENGINE_RUNS = Number(process.env.BENCH_DEVSTART_ENGINE_RUNS ?? 7);
const SIZE: BigStateSize = {
  messages: Number(process.env.BENCH_DEVSTART_MESSAGES ?? 100_000),
  journalRecords: Number(process.env.BENCH_DEVSTART_JOURNAL ?? 1_000_000),
};
const WORK_DIR = join(ROOT, 'bench', '.tmp', 'dev-start');
const BIN = join(ROOT, 'bin', 'busline.mjs');
const CHILD = join(ROOT, 'bench', 'dev-start', 'engine-start-child.ts');
const progress = (m: string) => process.stderr.write(`[bench] dev-start: ${m}\n`);

interface DevStart {
  readonly readyMs: number;
  /** The line `busline dev` printed about its synth. */
  readonly synthLine: string;
}

/** Spawns `busline dev` on the repository's app until it serves, then stops it. */
async function devReady(cacheDir: string): Promise<DevStart> {
  const stateDir = mkdtempSync(join(WORK_DIR, 'state-'));
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'dev', '--state', stateDir, '--port', '0', '--quiet'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [SYNTH_CACHE_ENV]: cacheDir },
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (/Busline local engine on http:\/\//.test(out)) resolve(performance.now() - started);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`busline dev exited (${code}) before serving: ${out.trim().split('\n').slice(-5).join(' / ')}`)));
    });
    return { readyMs, synthLine: /^synth: .*$/m.exec(out)?.[0] ?? '(no synth line)' };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(stateDir, { recursive: true, force: true });
  }
}

interface EngineStart {
  readonly startMs: number;
  readonly cpuMs: number;
  readonly messages: number;
}

export async function run(): Promise<BenchSection> {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const first: number[] = [];
  const cached: number[] = [];
  const lines: string[] = [];
  const engineWall: number[] = [];
  const engineCpu: number[] = [];
  let recovered = 0;
  try {
    for (let round = 0; round < RUNS; round++) {
      const cacheDir = mkdtempSync(join(WORK_DIR, 'synth-cache-'));
      progress(`round ${round + 1}/${RUNS}: first start (synthesizes)`);
      const a = await devReady(cacheDir);
      progress(`round ${round + 1}/${RUNS}: nothing changed (cached synth)`);
      const b = await devReady(cacheDir);
      first.push(a.readyMs / 1000);
      cached.push(b.readyMs / 1000);
      if (round === 0) lines.push(a.synthLine, b.synthLine);
      rmSync(cacheDir, { recursive: true, force: true });
    }
    const stateDir = join(WORK_DIR, 'big-state');
    progress(`building a state folder of ${SIZE.messages} messages and ${SIZE.journalRecords} journal records`);
    await buildBigState(stateDir, SIZE);
    // The first start after the build compacts the log the build wrote; the timed ones start
    // from the snapshot, as every start after a session does.
    await runChild<EngineStart>(['--import', 'tsx', CHILD, stateDir], { cwd: ROOT, timeoutMs: 300_000 });
    for (let i = 0; i < ENGINE_RUNS; i++) {
      progress(`engine start ${i + 1}/${ENGINE_RUNS}`);
      const { report } = await runChild<EngineStart>(['--import', 'tsx', CHILD, stateDir], { cwd: ROOT, timeoutMs: 300_000 });
      engineWall.push(report.startMs / 1000);
      engineCpu.push(report.cpuMs / 1000);
      recovered = report.messages;
    }
  } finally {
    rmSync(WORK_DIR, { recursive: true, force: true });
  }
  const [f, c, ew, ec] = [summarize(first), summarize(cached), summarize(engineWall), summarize(engineCpu)];
  const sizes = `${SIZE.messages.toLocaleString('en-US')} messages, ${SIZE.journalRecords.toLocaleString('en-US')} journal records`;
  return {
    title: 'busline dev start and engine start (issue 20)',
    columns: ['Figure', 'Median, s (IQR)', 'Runs'],
    rows: [
      ['`busline dev` ready, first start (synthesizes)', formatSummary(f), String(f.n)],
      ['`busline dev` ready, nothing changed (cached synth)', formatSummary(c), String(c.n)],
      [`engine start, ${sizes}: wall`, formatSummary(ew), String(ew.n)],
      [`engine start, ${sizes}: CPU`, formatSummary(ec), String(ec.n)],
    ],
    notes: [
      `Command: \`node bin/busline.mjs dev --state <fresh folder> --port 0 --quiet\` in the repository (its app, bin/app.ts), ${SYNTH_CACHE_ENV} set to a fresh cache for the first start and kept for the second; spawn → the "Busline local engine on" line. What they printed about synthesis: "${lines.join('", "')}".`,
      `Engine start: \`node --import tsx bench/dev-start/engine-start-child.ts <state>\`, LocalEngine.start with DynamoDB and the state's queue declared, until it serves; it recovered ${recovered.toLocaleString('en-US')} messages. The journal is not read at start (only its tail, for the next sequence number).`,
      verdictSentence('`busline dev` ready, nothing changed', iqrBounds(c), atMost(2, '2 s'), ' s'),
      verdictSentence('`busline dev` ready, first start', iqrBounds(f), atMost(6, '6 s'), ' s'),
      verdictSentence(`engine start with ${sizes} (wall)`, iqrBounds(ew), atMost(1, '1 s'), ' s'),
    ],
  };
}
