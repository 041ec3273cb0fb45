/**
 * The reference reserve-inventory function bundled exactly as the constructs bundle it
 * (lib/constructs/bundler.ts), for the cold-start bench.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/machine.ts';

export interface BuslineBundle {
  readonly bundle: string;
  env(names: { dedupeTable: string; reservationsTable: string; busName: string }): Record<string, string>;
}

export function buslineBundleUnavailable(): string | undefined {
  for (const f of ['lib/runtime/index.ts', 'lib/constructs/bundler.ts', 'functions/reserve-inventory.ts']) {
    if (!existsSync(join(ROOT, f))) return `${f} is not in this checkout yet`;
  }
  return undefined;
}

export async function buildBuslineReserveInventory(_workDir: string): Promise<BuslineBundle> {
  throw new Error('added when the constructs land in main');
}
