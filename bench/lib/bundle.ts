/**
 * Bundles a module with the options lib/constructs/bundler.ts uses for Busline's functions
 * (minified ESM for nodejs24.x, @aws-sdk/* left to the Lambda runtime, the `require` shim
 * for CommonJS dependencies): peers' handlers, so bundle sizes compare like with like, and
 * Busline's runtime, so the benches run the code Lambda runs.
 */
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../../lib/constructs/bundler.ts';

export function bundleAsLambda(entry: string, outfile: string): void {
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [entry], outfile });
}
