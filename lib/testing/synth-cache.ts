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
import { createHash } from 'node:crypto';
import { CfnResource, Stack, Stage, Token, Tokenization, type App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { storeAssembly, storedAssembly } from '../assembly-cache/assembly-store.ts';
import { buslineCodeHash } from '../assembly-cache/busline-code-hash.ts';
import { filesUnder, hashFiles, lockfilesOf, sourceFiles } from '../assembly-cache/input-files.ts';
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
  const key = synthKey(stage);
  let dir = storedAssembly(cacheDir, key);
  if (!dir) {
    const synthesized = resolveAssembly(stage as App);
    try {
      dir = storeAssembly(cacheDir, key, synthesized.dir);
    } finally {
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
      for (const lock of lockfilesOf(flow.rootDir)) files.add(lock);
    }
  }
  hashFiles(hash, files);
  hash.update(buslineCodeHash());
  return hash.digest('hex').slice(0, 24);
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
