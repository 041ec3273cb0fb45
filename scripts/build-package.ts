/**
 * Builds what `npm pack` ships from the TypeScript in lib/ (run by `npm run build` and `prepack`):
 *
 *   dist/esm/**  ES modules (.js) + declarations (.d.ts): the `import` condition, the CLI, and
 *                the runtime that handler bundles are made from (esbuild tree-shakes ESM)
 *   dist/cjs/**  CommonJS (.cjs) + declarations (.d.cts): the `require` condition, for CommonJS
 *                apps and test runners that load packages with their own `require` (jest)
 *   dist/dashboard/  the local dashboard's page (index.html, app.js), bundled from dashboard-ui/
 *
 * One output file per source file, so every entry point shares one copy of each module (one
 * EventFlow class, one NonRetryableError). esbuild transpiles (the same version that bundles
 * handlers); tsc writes the declarations. The sources import with `.ts` extensions, which
 * both outputs rewrite to their own (`.js`, `.cjs`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundlePage } from '../lib/cli/dashboard/page-bundle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = join(ROOT, 'lib');
const DIST = join(ROOT, 'dist');
const TYPES_TMP = join(DIST, '.types');

/** The `busline` command's entry: ESM only (it has top-level await and is never required). */
const ESM_ONLY = ['cli/main.ts'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(LIB, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

const sources = filesUnder(LIB);
const tsSources = sources.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
/** Plain ES modules loaded by path at run time (the Lambda worker and its resolve hooks). */
const copied = sources.filter((f) => f.endsWith('.mjs'));

/** A relative `.ts` specifier in the given output's extension. */
function rewrite(specifier: string, ext: '.js' | '.cjs'): string {
  return specifier.startsWith('.') && specifier.endsWith('.ts') ? specifier.slice(0, -3) + ext : specifier;
}

/**
 * Dependencies that ship only ES modules, inlined into the CommonJS build: Node 20 can
 * `require` them, but jest's own module loader cannot (before Node 24.9), and a team's jest
 * tests of its handlers load busline/runtime through `require`.
 */
const INLINE_IN_CJS = ['@middy/core'];

/**
 * Every import of lib/ stays an import: relative ones get the output's extension, packages stay
 * external, but for those inlined (whose own imports esbuild then bundles as usual).
 */
function keepImports(ext: '.js' | '.cjs', inline: readonly string[]): Plugin {
  return {
    name: 'keep-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !args.importer.startsWith(LIB) || inline.includes(args.path)) return undefined;
        return { path: rewrite(args.path, ext), external: true };
      });
    },
  };
}

async function transpile(format: 'esm' | 'cjs'): Promise<void> {
  const ext = format === 'esm' ? '.js' : '.cjs';
  const entries = tsSources.filter((f) => format === 'esm' || !ESM_ONLY.includes(f));
  await build({
    entryPoints: entries.map((f) => join(LIB, f)),
    outbase: LIB,
    outdir: join(DIST, format),
    outExtension: { '.js': ext },
    bundle: true,
    format,
    platform: 'node',
    target: 'node20',
    plugins: [keepImports(ext, format === 'cjs' ? INLINE_IN_CJS : [])],
    logLevel: 'warning',
    // CommonJS has no import.meta: the same file URL, from __filename ('use strict' first, as
    // esbuild's own directive comes after the banner).
    ...(format === 'cjs'
      ? { define: { 'import.meta.url': '__bl_import_meta_url' }, banner: { js: "'use strict'; const __bl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" } }
      : {}),
  });
  for (const f of copied) {
    mkdirSync(dirname(join(DIST, format, f)), { recursive: true });
    copyFileSync(join(LIB, f), join(DIST, format, f));
  }
}

/** Declarations: tsc once, then each output gets a copy with its own import extensions. */
function declarations(): void {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', TYPES_TMP], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc failed: the declarations were not written (errors above)');
  const specifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+\.ts)(['"])/g;
  for (const file of readdirSync(TYPES_TMP, { recursive: true, withFileTypes: true })) {
    if (!file.isFile() || !file.name.endsWith('.d.ts')) continue;
    const rel = relative(TYPES_TMP, join(file.parentPath, file.name));
    const text = readFileSync(join(TYPES_TMP, rel), 'utf8');
    for (const [format, ext, dts] of [['esm', '.js', '.d.ts'], ['cjs', '.cjs', '.d.cts']] as const) {
      if (format === 'cjs' && ESM_ONLY.includes(rel.replace(/\.d\.ts$/, '.ts'))) continue;
      const out = join(DIST, format, rel.slice(0, -'.d.ts'.length) + dts);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text.replace(specifier, (_m, head: string, path: string, tail: string) => head + rewrite(path, ext) + tail));
    }
  }
  rmSync(TYPES_TMP, { recursive: true, force: true });
}

const started = Date.now();
rmSync(DIST, { recursive: true, force: true });
await transpile('esm');
await transpile('cjs');
// Files under dist/cjs are CommonJS whatever the root package.json says (.cjs says so too;
// this keeps tools that look at the folder's package.json in agreement).
writeFileSync(join(DIST, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
declarations();
mkdirSync(join(DIST, 'dashboard'));
for (const [name, text] of Object.entries(await bundlePage())) writeFileSync(join(DIST, 'dashboard', name), text);
console.log(`busline: built dist/ (esm + cjs, ${tsSources.length} modules) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
