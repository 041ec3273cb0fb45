/**
 * What a function bundle is made of: the generated entry bundled again as the constructs bundle
 * it, with esbuild's metafile, and the output bytes grouped by where they come from (the
 * runtime's folders, each dependency, the generated validators, the handler). A bundle over its
 * size target comes with this, as a slow path comes with its profile.
 */
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS, RUNTIME_ENTRY } from '../../lib/constructs/bundler.ts';

export interface BundlePart {
  readonly part: string;
  readonly bytes: number;
}

/** `entry` is a bundle's generated src/<name>/entry.mjs (lib/constructs/bundler.ts bundleHandlers). */
export function bundleComposition(entry: string, nodeModules: string): BundlePart[] {
  const result = buildSync({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: [entry],
    outfile: 'index.mjs',
    write: false,
    metafile: true,
    nodePaths: [nodeModules],
    alias: { 'busline/runtime': RUNTIME_ENTRY },
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const part = partOf(input);
    parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Metafile inputs are paths relative to the working folder, whatever it is: named by their segments. */
function partOf(input: string): string {
  const segments = input.split(/[\\/]/);
  const nm = segments.lastIndexOf('node_modules');
  if (nm >= 0) {
    const name = segments[nm + 1]!;
    return name.startsWith('@') ? `${name}/${segments[nm + 2]}` : name;
  }
  if (input.endsWith('validators.mjs')) return 'validators (generated from the schemas)';
  if (input.endsWith('entry.mjs')) return 'entry (generated glue)';
  const runtime = segments.indexOf('runtime');
  if (segments[runtime - 1] === 'lib' && runtime >= 0) {
    const rest = segments.slice(runtime + 1);
    return rest.length > 1 ? `runtime: ${rest[0]}/` : 'runtime: core files';
  }
  return `handler (${segments.at(-1)})`;
}

/** "runtime: core files 30.1 KB, runtime: middleware/ 15.7 KB, …" (parts under 1% left out). */
export function formatComposition(parts: readonly BundlePart[]): string {
  const total = parts.reduce((sum, p) => sum + p.bytes, 0);
  return parts
    .filter((p) => p.bytes / total >= 0.01)
    .map((p) => `${p.part} ${(p.bytes / 1000).toFixed(1)} KB`)
    .join(', ');
}
