/**
 * `npm run bench [section …] [--out file]`: runs every bench/<area>.bench.ts (or those
 * named), each in a fresh child process, prints one Markdown table per section and writes
 * them with the machine's description, the peers' versions (read from node_modules and, for
 * moto, from the Python that runs moto_server) and the table of issue 18's targets, each with
 * its measured figure and verdict, to bench/RESULTS.md.
 *
 * The file's recorded runs (bench/lib/recorded-runs.ts) are carried over from the file it replaces.
 *
 * Naming sections (`npm run bench -- runtime-overhead`) writes to bench/.tmp/RESULTS.md
 * instead, so a quick partial run never overwrites the committed full results.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './section.ts';
import { describeMachine, peerVersions, ROOT } from './lib/machine.ts';
import { renderSection } from './lib/markdown.ts';
import { failedSection } from './lib/section-failure.ts';
import { recordedRuns } from './lib/recorded-runs.ts';
import { targetsSection, type TargetRow } from './lib/targets.ts';
import type { WorkerMessage } from './lib/section-worker.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** What was measured: the commit checked out, and whether tracked files differed from it when the run began. */
function measuredRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? `at ${commit}` : `at ${commit} with uncommitted changes`;
  } catch {
    return 'outside a git checkout';
  }
}
const SUFFIX = '.bench.ts';
/** Sections of issue 8 first, in its order; any other bench file after them, by name. */
const ORDER = ['runtime-overhead', 'cold-start', 'synth'];

interface Args {
  readonly names: string[];
  readonly out?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const names: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') {
      out = argv[++i];
      if (!out) throw new Error('--out needs a file path: npm run bench -- --out results.md');
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}: usage is npm run bench [-- section … [--out file]]`);
    } else {
      names.push(arg.endsWith(SUFFIX) ? arg.slice(0, -SUFFIX.length).replace(/^.*\//, '') : arg);
    }
  }
  return { names, ...(out ? { out } : {}) };
}

function discover(names: readonly string[]): string[] {
  const all = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new Error(`no bench file for ${unknown.join(', ')}: the sections are ${all.join(', ')}`);
  }
  return all.filter((n) => names.includes(n));
}

/** Runs one section in a child process; a failure becomes a section that says so. */
function runSection(name: string): Promise<BenchSection> {
  const file = join(BENCH_DIR, name + SUFFIX);
  return new Promise((resolve) => {
    let settled = false;
    const child = fork(join(BENCH_DIR, 'lib', 'section-worker.ts'), [file], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      // stdout is where measured handlers write their logs, as in Lambda: discard it.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      cwd: ROOT,
    });
    child.on('message', (m: WorkerMessage) => {
      settled = true;
      resolve(m.ok ? m.section : failedSection(name, m.error));
    });
    child.on('exit', (code, signal) => {
      if (!settled) resolve(failedSection(name, `worker exited with ${signal ?? `code ${code}`} before reporting`));
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = discover(args.names);
  const partial = args.names.length > 0;
  const out = args.out ?? join(BENCH_DIR, partial ? '.tmp/RESULTS.md' : 'RESULTS.md');
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const machine = describeMachine();
  const measured = measuredRevision();
  const started = performance.now();

  const rendered: string[] = [];
  const targets: TargetRow[] = [];
  for (const name of names) {
    const t0 = performance.now();
    process.stderr.write(`[bench] ${name}: running\n`);
    const section = await runSection(name);
    process.stderr.write(`[bench] ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    targets.push(...(section.targets ?? []));
    const md = renderSection(section);
    process.stdout.write(md + '\n');
    rendered.push(md);
  }

  const header = [
    '# Busline benchmarks',
    '',
    `Made by \`${command}\` in ${((performance.now() - started) / 1000).toFixed(0)} s, ${measured}.`,
    'Figures are medians over repeated runs, with the interquartile range in parentheses; ratios compare medians from the same run, with bounds from the interquartile ranges, and a target is met only if it holds on the bound that decides it.',
    '',
    ...machine.map((l) => `- ${l}`),
    `- Load average at end (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (the machine is shared: figures from a loaded machine are noisier, ratios from interleaved rows less so)`,
    '',
    'Peer and tool versions:',
    '',
    ...peerVersions().map((v) => `- ${v}`),
    '',
  ].join('\n');
  const targetsMd = renderSection(targetsSection(targets));
  process.stdout.write(targetsMd + '\n');
  mkdirSync(dirname(out), { recursive: true });
  const recorded = recordedRuns(existsSync(out) ? readFileSync(out, 'utf8') : undefined);
  writeFileSync(out, [header, targetsMd, ...rendered, ...(recorded ? [recorded] : [])].join('\n'));
  process.stderr.write(`[bench] wrote ${relative(process.cwd(), out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
