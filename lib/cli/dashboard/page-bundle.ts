/**
 * The dashboard page: its sources are dashboard-ui/ (preact + htm, dagre for the graph layout),
 * bundled by esbuild into one minified script and one HTML file. The package ships them built
 * (scripts/build-package.ts writes dist/dashboard/); in a checkout they are built on first use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageFiles {
  readonly 'index.html': string;
  readonly 'app.js': string;
}

/** dashboard-ui/ in a checkout (absent from the package). */
export const PAGE_SOURCES = fileURLToPath(new URL('../../../dashboard-ui/', import.meta.url));

export async function bundlePage(sources = PAGE_SOURCES): Promise<PageFiles> {
  const out = await build({
    entryPoints: [join(sources, 'main.ts')],
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    write: false, legalComments: 'none', logLevel: 'silent',
  });
  return { 'index.html': readFileSync(join(sources, 'index.html'), 'utf8'), 'app.js': out.outputFiles[0]!.text };
}
