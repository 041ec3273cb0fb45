/**
 * Bundles a module with the options lib/constructs/bundler.ts uses for Busline's functions
 * (minified ESM for nodejs24.x, @aws-sdk/* left to the Lambda runtime, the `require` shim
 * for CommonJS dependencies): peers' handlers, so bundle sizes compare like with like, and
 * Busline's runtime, so the benches run the code Lambda runs.
 */
import { buildSync } from 'esbuild';

const REQUIRE_SHIM = "import{createRequire as __bl_cr}from'node:module';const require=__bl_cr(import.meta.url);";

export function bundleAsLambda(entry: string, outfile: string): void {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    external: ['@aws-sdk/*'],
    banner: { js: REQUIRE_SHIM },
    legalComments: 'none',
    logLevel: 'silent',
  });
}
