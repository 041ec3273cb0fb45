/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): self time of the main
 * thread grouped by the part of the code it was spent in. Start-up (module loading) and idle
 * time are left out, so the shares describe the work being measured.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** An area of the code: the first whose test matches a frame's url (or native function name) gets its time. */
export interface ProfileArea {
  readonly name: string;
  readonly test: (url: string, functionName: string) => boolean;
}

export interface AreaTime {
  readonly area: string;
  readonly ms: number;
}

export interface ProfileSummary {
  /** Main-thread time spent running code, start-up excluded (ms). */
  readonly busyMs: number;
  /** Busy time by area, largest first. */
  readonly areas: readonly AreaTime[];
}

const IDLE = new Set(['(idle)']);
const START_UP = (url: string) => url.startsWith('node:internal/modules') || url.includes('/node_modules/tsx/') || url.includes('/node_modules/esbuild/');

/** The main-thread profile node wrote for `pid` in `dir` (node names it CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile). */
export function mainThreadProfile(dir: string, pid: number): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid) && f.split('.')[4] === '0');
  if (!file) throw new Error(`no CPU profile of process ${pid}'s main thread in ${dir}`);
  return join(dir, file);
}

/**
 * Busy time by area; `keepStartUp` counts module loading too (an area may claim it), for a
 * profile whose start-up is the thing measured (a cold start).
 */
/** A fresh folder for the CPU profiles of processes started with `nodeArgs`. */
export interface CpuProfiling {
  /** node flags that write a process's profiles into `dir` when it exits. */
  readonly nodeArgs: readonly string[];
  readonly dir: string;
  /** The main-thread profile of process `pid`. */
  mainThread(pid: number): string;
  /** The main-thread profile of the one process profiled here (its pid unknown to the caller). */
  only(): string;
}

/** Runs `body` with a fresh folder for CPU profiles, removed afterwards whatever happens. */
export async function withCpuProfiles<T>(body: (profiling: CpuProfiling) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'busline-bench-prof-'));
  try {
    return await body({
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      dir,
      mainThread: (pid) => mainThreadProfile(dir, pid),
      only: () => {
        const mains = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0');
        if (mains.length !== 1) throw new Error(`expected one main-thread CPU profile in ${dir}, found ${mains.length}`);
        return join(dir, mains[0]!);
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function summarizeProfile(file: string, areas: readonly ProfileArea[], options: { keepStartUp?: boolean } = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const areaOf = new Map<number, string | undefined>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    if (IDLE.has(functionName) || (!options.keepStartUp && START_UP(url))) areaOf.set(node.id, undefined);
    else areaOf.set(node.id, areas.find((a) => a.test(url, functionName))?.name ?? 'other');
  }
  const micros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const area = areaOf.get(id);
    if (area !== undefined) micros.set(area, (micros.get(area) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const list = [...micros].map(([area, us]) => ({ area, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { busyMs: list.reduce((sum, a) => sum + a.ms, 0), areas: list };
}

const underLocal = (folder: string) => (url: string) => url.includes(`/lib/local/${folder}/`);

/** dynalite and the packages it runs on (LevelDB bindings, numbers, locks). */
const DYNALITE_PACKAGES = /\/node_modules\/(dynalite|classic-level|abstract-level|level-[a-z-]+|big\.js|lock|async)\//;

/** The local engine's parts, for its profiles. */
export const ENGINE_AREAS: readonly ProfileArea[] = [
  { name: 'wire (HTTP server, protocol codecs)', test: underLocal('wire') },
  { name: 'EventBridge (intake, routing, delivery)', test: underLocal('eventbridge') },
  { name: 'event patterns', test: underLocal('pattern') },
  { name: 'SQS (send, queue state)', test: underLocal('sqs') },
  { name: 'journal', test: underLocal('journal') },
  { name: 'state store (append, group commit)', test: underLocal('store') },
  { name: 'DynamoDB (requests, transactions, dynalite and its LevelDB)', test: (url) => url.includes('/lib/local/dynamodb/') || DYNALITE_PACKAGES.test(url) },
  { name: 'Lambda (function runner, event source mappings)', test: (url) => url.includes('/lib/local/lambda/') || url.includes('/lib/local/esm/') },
  { name: 'IAM checks', test: underLocal('iam') },
  { name: 'engine, other', test: (url) => url.includes('/lib/local/') },
  { name: 'garbage collection', test: (_url, fn) => fn === '(garbage collector)' },
  { name: 'Node.js (HTTP, streams, fs)', test: (url) => url.startsWith('node:') },
  { name: 'native calls (socket writes, fsync, hashing)', test: (url, fn) => url === '' && !fn.startsWith('(') },
  { name: 'dependencies', test: (url) => url.includes('/node_modules/') },
];

/**
 * What "busy" means in a profile's note. V8's profiler samples the thread's stack on the wall
 * clock, so a sample lands wherever the thread is, running or not: in a blocking system call,
 * or waiting for a core on a loaded machine (one routing profile read 14.4 s busy for 4.2 s of
 * CPU at load average 7 on 2 cores).
 */
export const SAMPLED_BUSY_TIME = "busy as V8's profiler samples it, on the wall clock: a blocking system call, or a wait for a core on a loaded machine, counts where the thread was";

/**
 * "Node.js 28%, EventBridge 14%, …": each area's share of the busy time (areas under 1% left
 * out). Shares only: the profiler slows the process, so its times are not the measured ones.
 */
export function formatBreakdown(summary: ProfileSummary): string {
  return summary.areas
    .filter((a) => a.ms / summary.busyMs >= 0.01)
    .map((a) => `${a.area} ${Math.round((a.ms / summary.busyMs) * 100)}%`)
    .join(', ');
}

/**
 * The parts of a Lambda handler's cold start (a fresh node importing `bundle` and running its
 * first batch), for its profiles.
 */
export function coldStartAreas(bundle: string): readonly ProfileArea[] {
  return [
    { name: 'the handler bundle (runtime, validators, handler)', test: (url) => url.endsWith(bundle) },
    { name: 'AWS SDK (clients, middleware, signing, HTTP)', test: (url) => /\/node_modules\/@(aws-sdk|smithy|aws-crypto)\//.test(url) },
    { name: 'module loading (Node: resolve, read, compile)', test: (url) => url.startsWith('node:internal/modules') },
    { name: 'garbage collection', test: (_url, fn) => fn === '(garbage collector)' },
    { name: 'Node.js (HTTP, streams, crypto)', test: (url) => url.startsWith('node:') },
    { name: 'native calls', test: (url, fn) => url === '' && !fn.startsWith('(') },
    { name: 'other dependencies', test: (url) => url.includes('/node_modules/') },
  ];
}

export interface FunctionTime {
  /** `name (file)`: the function and the base name of its file. */
  readonly name: string;
  readonly ms: number;
}

/**
 * Self time by function inside the calls of the code `isRoot` picks (every frame under the first
 * such frame of a stack), largest first, and the whole of that time: where a measured call's
 * own time goes, without the harness around it. Garbage collection is not under any call (V8
 * files it at the root), so it is returned apart, as time during the whole profile.
 */
export function timeUnder(file: string, isRoot: (url: string, functionName: string) => boolean, top = 8): { busyMs: number; gcMs: number; functions: readonly FunctionTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const under = new Set<number>();
  const mark = (id: number): void => {
    under.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  const visit = (id: number): void => {
    const node = byId.get(id)!;
    if (isRoot(node.callFrame.url, node.callFrame.functionName)) mark(id);
    else for (const child of node.children ?? []) visit(child);
  };
  visit(profile.nodes[0]!.id);
  const micros = new Map<string, number>();
  let gc = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const { functionName, url } = byId.get(id)!.callFrame;
    if (functionName === '(garbage collector)') gc += delta;
    if (!under.has(id)) return;
    const name = `${functionName || '(anonymous)'} (${url ? url.slice(url.lastIndexOf('/') + 1) : 'native'})`;
    micros.set(name, (micros.get(name) ?? 0) + delta);
  });
  const functions = [...micros].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { busyMs: functions.reduce((sum, f) => sum + f.ms, 0), gcMs: gc / 1000, functions: functions.slice(0, top) };
}
