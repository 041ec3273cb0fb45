/**
 * Synthesized assemblies of the apps under test, cached by content: a test file that builds the
 * same App as the one before does not synthesize (bundle handlers, compile validators, write
 * templates) again. The key hashes what a synth is made of:
 * - the construct tree: every construct's path and class, every CloudFormation resource's type,
 *   properties and overrides (tokens as their stable string form);
 * - each subscription's baked configuration and its handler's source, with the files it
 *   imports by relative path, recursively;
 * - each flow's schemas folder, and the project's lockfile;
 * - Busline's own code that a synth runs or bundles (its constructs, schema compiler and runtime).
 * Anything else a synth could read (an environment variable a construct consults, a package
 * changed without its lockfile) is not in the key: pass a cdk.out folder, or clear the cache.
 */
import { createHash, type Hash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { CfnResource, Stack, Stage, Token, Tokenization, type App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { RUNTIME_ENTRY } from '../constructs/bundler.ts';
import { resolveAssembly, type FlowSource } from './assembly-source.ts';
import { FlowStartError } from './errors.ts';

/** Assemblies already resolved in this process, per Stage. */
const resolved = new WeakMap<Stage, string>();

/**
 * The cloud assembly folder of `source`: a folder is taken as it is; a Stack or App is looked up
 * in `cacheDir` by its content key and synthesized (once) when missing.
 */
export function cachedAssembly(source: FlowSource, cacheDir: string): string {
  if (typeof source === 'string') return resolveAssembly(source).dir;
  const stage = stageOf(source);
  const known = resolved.get(stage);
  if (known) return known;
  const dir = join(resolve(cacheDir), synthKey(stage));
  if (!existsSync(join(dir, 'manifest.json'))) {
    const synthesized = resolveAssembly(stage as App);
    mkdirSync(dirname(dir), { recursive: true });
    const temp = `${dir}.tmp-${process.pid}`;
    try {
      cpSync(synthesized.dir, temp, { recursive: true });
      try {
        renameSync(temp, dir);
      } catch {
        // Another test file stored the same assembly first.
      }
    } finally {
      rmSync(temp, { recursive: true, force: true });
      synthesized.cleanup();
    }
  }
  resolved.set(stage, dir);
  return dir;
}

function stageOf(source: Stack | App): Stage {
  const stage = Stack.isStack(source) ? Stage.of(source) : Stage.isStage(source) ? source : undefined;
  if (!stage) throw new FlowStartError('testFlow: pass a Stack, an App (or Stage) or the path of a cloud assembly folder');
  return stage;
}

/** The content key of a Stage's synth (see the file comment). */
export function synthKey(stage: Stage): string {
  const hash = createHash('sha256');
  const files = new Set<string>();
  for (const c of stage.node.findAll()) {
    hash.update(`${c.node.path}\0${c.constructor.name}\0`);
    if (CfnResource.isCfnResource(c)) {
      const own = c as unknown as { cfnProperties: unknown; rawOverrides: unknown };
      hash.update(`${c.cfnResourceType}\0${stableJson(own.cfnProperties)}\0${stableJson(own.rawOverrides)}\0`);
    }
    const subscription = c as IConstruct & { config?: unknown; handlerFile?: unknown };
    if (typeof subscription.handlerFile === 'string' && subscription.config !== undefined) {
      hash.update(`${stableJson(subscription.config)}\0`);
      sourceFiles(subscription.handlerFile, files);
    }
    const flow = c as IConstruct & { schemasDir?: unknown; rootDir?: unknown };
    if (typeof flow.schemasDir === 'string' && typeof flow.rootDir === 'string') {
      filesUnder(flow.schemasDir, files);
      for (const lock of ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock']) if (existsSync(join(flow.rootDir, lock))) files.add(join(flow.rootDir, lock));
    }
  }
  hashFiles(hash, files);
  hash.update(buslineCodeHash());
  return hash.digest('hex').slice(0, 24);
}

let buslineHash: string | undefined;

/** The parts of Busline a synth is made of (the constructs, the schema compiler, the runtime every bundle wraps the handler with). */
const SYNTH_PARTS = ['constructs', 'schema', 'runtime'];

/** Busline's code that goes into a synth (under lib/ from the sources, dist/esm from the package): hashed once per process. */
function buslineCodeHash(): string {
  if (buslineHash === undefined) {
    const files = new Set<string>();
    for (const part of SYNTH_PARTS) filesUnder(join(dirname(dirname(RUNTIME_ENTRY)), part), files);
    const hash = createHash('sha256');
    hashFiles(hash, files);
    buslineHash = hash.digest('hex');
  }
  return buslineHash;
}

/** Each file's path (relative to the current folder, so a project moved or copied keeps its key) and contents. */
function hashFiles(hash: Hash, files: ReadonlySet<string>): void {
  for (const f of [...files].sort()) hash.update(`${relative(process.cwd(), f)}\0`).update(readFileSync(f)).update('\0');
}

function filesUnder(dir: string, into: Set<string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, into);
    else if (entry.isFile()) into.add(path);
  }
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];

/** `file` and the files it imports by relative path, recursively. */
function sourceFiles(file: string, into: Set<string>): void {
  if (into.has(file) || !existsSync(file) || !statSync(file).isFile()) return;
  into.add(file);
  if (!['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(extname(file))) return;
  for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), match[1]!);
    // A TypeScript source imports `./x.js` for `./x.ts`.
    const candidates = [...EXTENSIONS.map((e) => target + e), target.replace(/\.(c|m)?js$/, '.$1ts')];
    const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
    if (found) sourceFiles(found, into);
  }
}

const TOKEN_NUMBER = /(Token\[[^\]]*?)\.\d+\]/g;

/** JSON with sorted keys; tokens as their string form, constructs as their path, cycles cut. */
function stableJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    // A token's string form ends in a number drawn in creation order (which differs from run to
    // run): left out. A number standing for a token is just a token.
    if (typeof v === 'string') return v.replace(TOKEN_NUMBER, '$1]');
    if (typeof v === 'number') return Token.isUnresolved(v) ? '<token>' : v;
    if (v === null || typeof v !== 'object') return typeof v === 'function' ? undefined : v;
    if (Tokenization.isResolvable(v)) return `<token ${String((v as { toString(): string }).toString()).replace(TOKEN_NUMBER, '$1]')}>`;
    const construct = (v as Partial<IConstruct>).node;
    if (construct && typeof construct === 'object' && 'path' in construct) return `<construct ${construct.path}>`;
    if (seen.has(v) || depth > 12) return '<…>';
    seen.add(v);
    const out = Array.isArray(v)
      ? v.map((x) => walk(x, depth + 1))
      : Object.fromEntries(Object.keys(v).sort().map((k) => [k, walk((v as Record<string, unknown>)[k], depth + 1)]));
    seen.delete(v);
    return out;
  };
  return JSON.stringify(walk(value, 0)) ?? '';
}
