/**
 * The hash of Busline's own code that goes into a synth: its constructs, schema compiler and the
 * runtime every bundle wraps a handler with (under lib/ from the sources, dist/esm from the
 * package). A new Busline version gives every app a new synth key.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder, hashFiles } from './input-files.ts';

/** The parts of Busline a synth is made of. */
const SYNTH_PARTS = ['constructs', 'schema', 'runtime'];

let hashed: string | undefined;

/** Hashed once per process. */
export function buslineCodeHash(): string {
  if (hashed === undefined) {
    const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
    const files = new Set<string>();
    for (const part of SYNTH_PARTS) filesUnder(join(packageRoot, part), files);
    const hash = createHash('sha256');
    hashFiles(hash, files, packageRoot);
    hashed = hash.digest('hex');
  }
  return hashed;
}
