/**
 * What a synth read, recorded for the synth cache of `busline dev`: when BUSLINE_SYNTH_INPUTS
 * names a file, the constructs append to it each file and folder they read beyond the app's own
 * sources (the handlers esbuild bundled, with everything they import; each flow's schemas
 * folder), one absolute path a line. Without the variable nothing is written.
 */
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const SYNTH_INPUTS_ENV = 'BUSLINE_SYNTH_INPUTS';

/** Records `paths` (files or folders) as inputs of the running synth. */
export function recordSynthInputs(paths: Iterable<string>): void {
  const file = process.env[SYNTH_INPUTS_ENV];
  if (!file) return;
  const lines = [...paths].map((p) => `${resolve(p)}\n`).join('');
  if (lines) appendFileSync(file, lines);
}
