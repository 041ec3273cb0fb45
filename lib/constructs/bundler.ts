/**
 * Bundles every handler of a flow in one esbuild call (never Docker, never one
 * NodejsFunction per handler: one call for 30 handlers costs tens of milliseconds, one
 * NodejsFunction ~0.45 s of synth each). For each subscription it generates the glue a
 * user would otherwise write: an entry that wraps the plain handler with the runtime, the
 * build-time compiled validators and the subscription's configuration.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildFailure, type BuildOptions, type Message } from 'esbuild';
import type { SubscriptionConfig } from '../runtime/subscription-config.ts';
import type { RuntimeFeatures } from '../runtime/wrap-handler.ts';
import { checkConfig } from '../runtime/wrap-options-check.ts';
import { recordSynthInputs } from '../assembly-cache/synth-inputs.ts';

/** One function to bundle. */
export interface BundleEntry {
  /** Folder name of the function's bundle (unique within the flow). */
  readonly name: string;
  /** Absolute path of the user's handler file (default export `(data, ctx) => Promise<void>`). */
  readonly handlerFile: string;
  /** Source of the ES module exporting `validators` (lib/schema/validator-codegen.ts). */
  readonly validatorsModule: string;
  /** Baked into the bundle and read by the runtime at cold start. */
  readonly config: SubscriptionConfig;
}

export class BundlingError extends Error {
  override readonly name = 'BundlingError';
  /** Names of the entries an error points at (its generated entry or its handler file); empty when none can be told. */
  readonly entryNames: readonly string[];
  constructor(message: string, options: ErrorOptions & { entryNames?: readonly string[] } = {}) {
    super(message, options);
    this.entryNames = options.entryNames ?? [];
  }
}

/**
 * The runtime's entry point, bundled into every function: the ES module build, which esbuild
 * tree-shakes. From the sources that is lib/runtime/index.ts; from the built package it is
 * dist/esm/runtime/index.js, whether this file was loaded as ESM (dist/esm) or CommonJS
 * (dist/cjs). It is the file a handler's `import … from 'busline/runtime'` resolves to, so the
 * handler and the glue share one copy of the runtime (one NonRetryableError class).
 */
export const RUNTIME_ENTRY = runtimeEntry(fileURLToPath(import.meta.url));

function runtimeEntry(self: string): string {
  return extname(self) === '.ts' ? join(dirname(self), '../runtime/index.ts') : join(dirname(self), '../../esm/runtime/index.js');
}

/**
 * Runtime modules bundled beside each function's index.mjs rather than into it, each loaded only
 * when needed (lib/runtime/runtime-module.ts): trace-export.mjs when the function's environment
 * configures an OpenTelemetry exporter, record-spans.mjs when a tracer provider is registered,
 * pii-crypto.mjs (KMS client and AES-GCM) at the first event of a topic with `"x-busline-pii":
 * "encrypt"` fields. A function without tracing or encrypted fields never loads them, and
 * index.mjs does not carry them.
 */
export const LAZY_RUNTIME_MODULES = ['trace-export', 'record-spans', 'pii-crypto'].map((name) => ({ name, entry: join(dirname(RUNTIME_ENTRY), `${name}${extname(RUNTIME_ENTRY)}`) }));

// The generated validators modules live outside the project tree (under the cloud
// assembly), so bare imports such as `ajv/dist/runtime/...` are resolved from the
// node_modules folder this package resolves ajv from.
const require = createRequire(import.meta.url);
const NODE_PATHS = [dirname(dirname(require.resolve('ajv/package.json')))];

/** ESM in Node has no `require`; CommonJS dependencies bundled into an .mjs file may call it. */
const REQUIRE_SHIM = "import{createRequire as __bl_cr}from'node:module';const require=__bl_cr(import.meta.url);";

/**
 * How every Busline function is bundled: minified ESM for nodejs24.x, `@aws-sdk/*` left to the
 * Lambda runtime (which ships SDK v3). Shared with the benchmarks so they measure what ships.
 */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  external: ['@aws-sdk/*'],
  banner: { js: REQUIRE_SHIM },
  legalComments: 'none',
  // Non-ASCII characters in strings (≥, →) as UTF-8 (3 bytes) rather than \uXXXX escapes (6):
  // Node reads ES modules as UTF-8.
  charset: 'utf8',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** A module of the runtime, from the sources or the built package as RUNTIME_ENTRY is (`path` without extension, from lib/runtime). */
function runtimeModule(path: string): string {
  return JSON.stringify(join(dirname(RUNTIME_ENTRY), `${path}${extname(RUNTIME_ENTRY)}`));
}

/** One import of a generated entry: export `name` of the runtime's `module` (a path from lib/runtime, without extension). */
interface FeatureImport {
  readonly module: string;
  readonly name: string;
}

/**
 * The runtime features a subscription's config uses, each as the import that brings it:
 * wrapGeneratedHandler takes them as its RuntimeFeatures, and a bundle carries no code of a
 * feature its config does not use.
 */
export function featureImports(config: SubscriptionConfig): Partial<Record<keyof RuntimeFeatures, FeatureImport>> {
  const topics = Object.values(config.topics);
  return {
    commitStep: commitStepImport(config),
    ...(topics.some((t) => (t.piiPaths?.length ?? 0) > 0) ? { piiMaskOf: { module: 'pii-values', name: 'piiMaskOf' } } : {}),
    ...(topics.some((t) => (t.encryptPaths?.length ?? 0) > 0) ? { piiCrypto: { module: 'pii-encryption', name: 'wrapperPiiCrypto' } } : {}),
    ...(config.acceptsVersions ? { acceptedVersions: { module: 'middleware/accepted-versions', name: 'acceptedVersionsCheck' } } : {}),
  };
}

/** Dedupe on: the dedupe step commits the effects with the dedupe record (keyed on the event id, or a keyPath); off: the effects step alone. */
function commitStepImport(config: SubscriptionConfig): FeatureImport {
  if (config.dedupe === false) return { module: 'effects/effects-step', name: 'generatedEffectsStep' };
  return { module: 'dedupe/dedupe-options', name: config.dedupe.keyPath === undefined ? 'generatedDedupeStep' : 'generatedKeyPathDedupeStep' };
}

/**
 * The generated entry: wrapGeneratedHandler (wrapHandler for this entry, which checks the config
 * here, at synth, so that the bundle does not: lib/runtime/wrap-handler.ts) with the features
 * the config uses.
 */
function entrySource(e: BundleEntry): string {
  checkConfig(`wrapHandler(${e.config.subscription})`, e.config);
  const features = Object.entries(featureImports(e.config)) as Array<[string, FeatureImport]>;
  return [
    `import userHandler from ${JSON.stringify(e.handlerFile)};`,
    `import { validators } from './validators.mjs';`,
    `import { wrapGeneratedHandler } from ${runtimeModule('wrap-handler')};`,
    ...features.map(([feature, f]) => `import { ${f.name} as ${feature} } from ${runtimeModule(f.module)};`),
    `export const handler = wrapGeneratedHandler(userHandler, { config: ${JSON.stringify(e.config)}, validators }, { ${features.map(([feature]) => feature).join(', ')} });`,
    '',
  ].join('\n');
}

/** esbuild's messages (up to five) as `file:line:column: text`, files relative to where this process runs. */
export function describeBuildMessages(messages: readonly Message[], workDir: string): string {
  // esbuild's locations are relative to workDir; shown relative to where synth runs from.
  const where = (file: string): string => relative(process.cwd(), resolve(workDir, file)) || file;
  return messages
    .slice(0, 5)
    .map((m) => (m.location ? `${where(m.location.file)}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
    .join('; ');
}

/**
 * The entries whose generated entry or handler file an error is located in. esbuild prints
 * locations relative to its working directory (`workDir`, set as absWorkingDir: left to its
 * default it is not reliably the process's current folder), so each is resolved against it
 * before it is compared: the answer must not depend on where synth runs from.
 */
function culprits(errors: readonly Message[], entries: readonly BundleEntry[], srcDir: string, workDir: string): string[] {
  const real = (file: string): string => {
    try {
      return realpathSync(resolve(workDir, file));
    } catch {
      return resolve(workDir, file);
    }
  };
  const files = new Set(errors.flatMap((m) => (m.location ? [real(m.location.file)] : [])));
  return entries.filter((e) => files.has(real(join(srcDir, e.name, 'entry.mjs'))) || files.has(real(e.handlerFile))).map((e) => e.name);
}

/** esbuild entry points of one function's bundle folder `<name>/`: its generated entry as index.mjs, and the LAZY_RUNTIME_MODULES. */
export function functionEntryPoints(name: string, entryFile: string): Record<string, string> {
  const points: Record<string, string> = { [`${name}/index`]: entryFile };
  for (const m of LAZY_RUNTIME_MODULES) points[`${name}/${m.name}`] = m.entry;
  return points;
}

/** The esbuild options every handler bundle is built with (synth, and `busline dev` rebuilding a changed handler). */
export function handlerBuildOptions(entryPoints: Record<string, string>, distDir: string, workDir: string): BuildOptions {
  return {
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints,
    outdir: distDir,
    outExtension: { '.js': '.mjs' },
    nodePaths: NODE_PATHS,
    absWorkingDir: workDir,
    // A handler's `import` or `require` of 'busline/runtime' is the glue's runtime: one copy
    // per bundle, tree-shaken ESM even where a CommonJS handler's require would pick dist/cjs.
    alias: { 'busline/runtime': RUNTIME_ENTRY },
  };
}

/** Folder of the cloud assembly holding each flow's bundling work folder (see flowBundleFolderName). */
export const FLOW_BUNDLES_DIR = '.busline';

/**
 * The folder, under FLOW_BUNDLES_DIR of the cloud assembly, where a flow's handlers are bundled: its generated
 * sources stay in `src/<subscription>/` (entry.mjs, validators.mjs), which `busline dev`
 * rebuilds from when a handler changes. `flowPath` is the EventFlow's construct path.
 */
export function flowBundleFolderName(uniqueId: string, flowPath: string): string {
  return `${uniqueId}-${flowPathHash(flowPath)}`;
}

export function flowPathHash(flowPath: string): string {
  return createHash('sha256').update(flowPath).digest('hex').slice(0, 12);
}

/**
 * Records the source files esbuild read (the handlers and what they import) as synth inputs:
 * not the generated glue under `workDir`, nor installed packages (the lockfile stands for them).
 */
function recordBundleInputs(inputs: readonly string[], workDir: string): void {
  const files = inputs.map((f) => resolve(workDir, f)).filter((f) => !f.startsWith(workDir + sep) && !f.split(sep).includes('node_modules'));
  recordSynthInputs(files);
}

/**
 * Writes each entry's generated sources under `<workDir>/src/<name>/` and bundles them all
 * at once into `<workDir>/dist/<name>/index.mjs` (minified ESM for nodejs24.x,
 * `@aws-sdk/*` left to the Lambda runtime), with the runtime's LAZY_RUNTIME_MODULES beside it.
 * Returns the folder of each bundle by name.
 */
export function bundleHandlers(entries: readonly BundleEntry[], workFolder: string): Map<string, string> {
  // Absolute, as esbuild's absWorkingDir must be (and the paths given to it then agree).
  const workDir = resolve(workFolder);
  const srcDir = join(workDir, 'src');
  const distDir = join(workDir, 'dist');
  rmSync(workDir, { recursive: true, force: true });
  const entryPoints: Record<string, string> = {};
  for (const e of entries) {
    const dir = join(srcDir, e.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'validators.mjs'), e.validatorsModule);
    writeFileSync(join(dir, 'entry.mjs'), entrySource(e));
    Object.assign(entryPoints, functionEntryPoints(e.name, join(dir, 'entry.mjs')));
  }
  try {
    const built = buildSync({ ...handlerBuildOptions(entryPoints, distDir, workDir), metafile: true });
    if (built.metafile) recordBundleInputs(Object.keys(built.metafile.inputs), workDir);
  } catch (err) {
    const failure = err as Partial<BuildFailure>;
    const detail = failure.errors ? describeBuildMessages(failure.errors, workDir) : (err as Error).message;
    throw new BundlingError(`bundling failed: ${detail}`, { cause: err, entryNames: culprits(failure.errors ?? [], entries, srcDir, workDir) });
  }
  return new Map(entries.map((e) => [e.name, join(distDir, e.name)]));
}
