/**
 * The synth cache of `busline dev`: the app's assembly stored by a content hash of what its synth
 * read, so a start with nothing changed does not run the app. What a synth read is recorded when
 * it runs (see lib/assembly-cache/synth-inputs.ts) and kept beside the cache, per app:
 * - the app command's source files, with what they import by relative path (the stack);
 * - the handlers esbuild bundled, with everything they import, and each flow's schemas folder;
 * - cdk.json, cdk.context.json, package.json and the lockfile;
 * - the app command, the context the app is given, and Busline's own code.
 * The next start hashes those again: all the same, the stored assembly is used; otherwise the
 * files that changed are the reason it synthesizes again. An app with Lambda functions that are
 * not Busline subscriptions is synthesized at every start (their code cannot be followed).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { storeAssembly, storedAssembly } from '../assembly-cache/assembly-store.ts';
import { buslineCodeHash } from '../assembly-cache/busline-code-hash.ts';
import { contentDigest, isSourceFile, lockfilesOf, sourceFiles } from '../assembly-cache/input-files.ts';
import { SYNTH_INPUTS_ENV } from '../assembly-cache/synth-inputs.ts';
import { appCommandFromCdkJson, contextOf, synthesize, synthValidation } from './synth.ts';
import { untrackedFunctions } from './untracked-functions.ts';

export interface CachedSynthOptions {
  readonly projectDir: string;
  /** The app command; default: "app" of cdk.json. */
  readonly app?: string;
  /** Where assemblies are stored (e.g. node_modules/.cache/busline/synth, shared with busline/testing). */
  readonly cacheDir: string;
}

export interface CachedSynth {
  /** The assembly folder (in the cache). */
  readonly dir: string;
  /** The content key it is stored under. */
  readonly key: string;
  /** Whether the stored assembly was used (no synth ran). */
  readonly cached: boolean;
  /** Why it synthesized (absent when cached). */
  readonly reason?: string;
  readonly ms: number;
}

/** What a synth of an app read. The last few are kept at `<cacheDir>/apps/<app key>.json`, the latest first, so going back to an earlier state (another branch) finds its assembly too. */
interface InputsRecord {
  readonly settings: string;
  readonly key: string;
  /** Project-relative path → content digest. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Functions whose code the cache cannot follow (see untracked-functions.ts): while there are any, every start synthesizes. */
  readonly untracked?: readonly string[];
}

const PROJECT_FILES = ['cdk.json', 'cdk.context.json', 'package.json'];
const KEPT_RECORDS = 8;

/** The assembly of the app in `projectDir`: the stored one when nothing it was made of changed, else a new synth. */
export async function cachedSynth(options: CachedSynthOptions): Promise<CachedSynth> {
  const started = performance.now();
  const projectDir = resolve(options.projectDir);
  const cacheDir = resolve(options.cacheDir);
  const app = options.app ?? appCommandFromCdkJson(projectDir);
  const settings = hash([app, JSON.stringify(contextOf(projectDir)), buslineCodeHash(), `CDK_VALIDATION=${synthValidation()}`]);
  const recordFile = join(cacheDir, 'apps', `${hash([projectDir, app]).slice(0, 16)}.json`);
  const records = readRecords(recordFile);
  const ms = (): number => Math.round(performance.now() - started);
  const reasons = records.map((r) => staleness(r, settings, projectDir, cacheDir));
  const hit = records.find((_, i) => reasons[i] === undefined);
  if (hit) {
    if (hit !== records[0]) writeRecords(recordFile, [hit, ...records.filter((r) => r !== hit)]);
    return { dir: storedAssembly(cacheDir, hit.key)!, key: hit.key, cached: true, ms: ms() };
  }
  // Said against the nearest earlier synth: the one the fewest files changed since.
  const reason = reasons.map((r) => r!).sort((a, b) => a.weight - b.weight)[0]?.text ?? 'no earlier synth of this app';

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'synth-'));
  try {
    const inputsFile = join(work, 'inputs.txt');
    writeFileSync(inputsFile, '');
    const outdir = await synthesize({ projectDir, app, outdir: join(work, 'cdk.out'), env: { [SYNTH_INPUTS_ENV]: inputsFile } });
    const paths = new Set<string>();
    for (const token of app.split(/\s+/)) {
      const file = resolve(projectDir, token);
      if (isSourceFile(file)) sourceFiles(file, paths);
    }
    for (const line of readFileSync(inputsFile, 'utf8').split('\n')) if (line) paths.add(line);
    for (const name of PROJECT_FILES) paths.add(join(projectDir, name));
    for (const lock of lockfilesOf(projectDir)) paths.add(lock);
    const inputs: Record<string, string> = {};
    for (const path of [...paths].sort()) {
      const digest = contentDigest(path);
      if (digest !== 'missing' || PROJECT_FILES.includes(relative(projectDir, path))) inputs[relative(projectDir, path)] = digest;
    }
    // The project's folder is part of the key: an assembly holds absolute paths into it (each
    // handler's generated entry imports the handler by its path), so a copy of the project
    // elsewhere, with the same files, must not get this one's assembly.
    const key = hash([settings, projectDir, JSON.stringify(inputs)]).slice(0, 24);
    const dir = storeAssembly(cacheDir, key, outdir, true);
    const untracked = untrackedFunctions(dir);
    writeRecords(recordFile, [{ settings, key, inputs, ...(untracked.length ? { untracked } : {}) }, ...records.filter((r) => r.key !== key)].slice(0, KEPT_RECORDS));
    return { dir, key, cached: false, reason, ms: ms() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Why a recorded synth cannot be used (weighed: fewer changed files, nearer), or undefined when it can. */
function staleness(record: InputsRecord, settings: string, projectDir: string, cacheDir: string): { text: string; weight: number } | undefined {
  if (record.untracked?.length) {
    const names = record.untracked.slice(0, 3).join(', ') + (record.untracked.length > 3 ? ` and ${record.untracked.length - 3} more` : '');
    return { text: `functions not declared by Busline subscriptions (${names}) have code the cache cannot follow`, weight: 0 };
  }
  if (record.settings !== settings) return { text: 'the app command, its cdk.json context or Busline changed', weight: Number.MAX_SAFE_INTEGER };
  const changed = Object.entries(record.inputs).filter(([path, digest]) => contentDigest(resolve(projectDir, path)) !== digest).map(([path]) => path);
  if (changed.length > 0) {
    const shown = changed.slice(0, 3).join(', ');
    return { text: `changed: ${shown}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''}`, weight: changed.length };
  }
  if (!storedAssembly(cacheDir, record.key)) return { text: 'the stored assembly is gone', weight: 0 };
  return undefined;
}

function readRecords(file: string): InputsRecord[] {
  if (!existsSync(file)) return [];
  try {
    const records = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(records)
      ? records.filter((r: Partial<InputsRecord>) => typeof r.key === 'string' && typeof r.settings === 'string' && typeof r.inputs === 'object')
      : [];
  } catch {
    return [];
  }
}

function writeRecords(file: string, records: readonly InputsRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(records, null, 1)}\n`);
}

function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** One line for the terminal: whether the cache was used, the key, the time, and why it synthesized. */
export function describeSynth(result: CachedSynth): string {
  const took = result.ms >= 1000 ? `${(result.ms / 1000).toFixed(1)} s` : `${result.ms} ms`;
  const key = result.key.slice(0, 8);
  return result.cached ? `synth: cached (hash ${key}) in ${took}` : `synth: ${result.reason}; synthesized (hash ${key}) in ${took}`;
}
