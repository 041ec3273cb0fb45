/**
 * The reference reserve-inventory function bundled exactly as the constructs bundle it:
 * its SubscriptionConfig and validators from the OrdersStack, through lib/constructs'
 * bundleHandlers (the same esbuild call EventFlow makes at synth).
 */
import { join } from 'node:path';
import { bundleHandlers } from '../../lib/constructs/bundler.ts';
import { RUNTIME_ENV } from '../../lib/runtime/subscription-config.ts';
import { referenceSubscription } from './reference-flow.ts';

export interface BuslineBundle {
  /** The bundle's index.mjs. */
  readonly bundle: string;
  /** The environment the constructs give the function, with local names. */
  env(names: { dedupeTable: string; reservationsTable: string; busName: string }): Record<string, string>;
}

export function buildBuslineReserveInventory(workDir: string): BuslineBundle {
  const sub = referenceSubscription('reserve-inventory');
  const dirs = bundleHandlers([{ name: 'reserve-inventory', handlerFile: sub.handlerFile, validatorsModule: sub.validatorsModule, config: sub.config }], workDir);
  return {
    bundle: join(dirs.get('reserve-inventory')!, 'index.mjs'),
    env: (names) => ({
      [RUNTIME_ENV.busName]: names.busName,
      [RUNTIME_ENV.dedupeTable]: names.dedupeTable,
      // Never used by a batch that succeeds (no DLQ send); the URL shape the constructs pass.
      [RUNTIME_ENV.dlqUrl]: 'http://127.0.0.1:1/123456789012/reserve-inventory-dlq',
      RESERVATIONS_TABLE: names.reservationsTable,
    }),
  };
}
