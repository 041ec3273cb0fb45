/**
 * The handlers of the synth bench's N-subscription flows: one distinct file per
 * subscription (distinct content, so neither app can reuse one bundle for all), plus, for
 * the plain app, the same wrapper entry the constructs generate (user handler + build-time
 * validators + wrapHandler + the subscription's config). Both apps therefore bundle the
 * same code; what differs is how: one esbuild call for the flow, or one per NodejsFunction.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubscriptionConfig } from '../../lib/runtime/subscription-config.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateValidatorModule } from '../../lib/schema/validator-codegen.ts';
import { ROOT } from '../lib/machine.ts';

export const TOPIC = 'order.placed';
export const SOURCE = 'shop.orders';
export const SCHEMAS_DIR = join(ROOT, 'schemas');

export function subscriptionName(i: number): string {
  return `sub-${i}`;
}

export interface SynthHandlers {
  /** Absolute handler file of subscription i (default export (data, ctx) => Promise<void>). */
  readonly handlerFiles: readonly string[];
  /** Absolute wrapper entry of subscription i, exporting `handler`, for NodejsFunction. */
  readonly entryFiles: readonly string[];
}

export function configFor(i: number): SubscriptionConfig {
  return {
    flow: 'Orders',
    subscription: subscriptionName(i),
    delivery: 'queue',
    consumes: [TOPIC],
    publishes: [],
    topics: { [TOPIC]: { source: SOURCE, latestVersion: 1 } },
    retry: { maxAttempts: 3, backoffBaseSeconds: 2, backoffMaxSeconds: 300 },
    dedupe: { ttlSeconds: 24 * 3600 },
  };
}

export function writeSynthHandlers(dir: string, count: number): SynthHandlers {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const topic = loadSchemas(SCHEMAS_DIR).get(TOPIC);
  if (!topic) throw new Error(`synth bench: ${SCHEMAS_DIR} has no ${TOPIC} schema`);
  const validators = join(dir, 'validators.mjs');
  writeFileSync(validators, generateValidatorModule([topic]));
  const handlerFiles: string[] = [];
  const entryFiles: string[] = [];
  for (let i = 0; i < count; i++) {
    const handler = join(dir, `${subscriptionName(i)}.ts`);
    writeFileSync(
      handler,
      [
        `import type { HandlerContext } from ${JSON.stringify(join(ROOT, 'lib/runtime/handler-types.ts'))};`,
        `export default async function handle(data: { orderId: string }, ctx: HandlerContext): Promise<void> {`,
        `  ctx.logger.info('handled by ${subscriptionName(i)}', { orderId: data.orderId });`,
        `}`,
        '',
      ].join('\n'),
    );
    const entry = join(dir, `${subscriptionName(i)}.entry.mjs`);
    writeFileSync(
      entry,
      [
        `import userHandler from ${JSON.stringify(handler)};`,
        `import { validators } from ${JSON.stringify(validators)};`,
        `import { wrapHandler } from ${JSON.stringify(join(ROOT, 'lib/runtime/index.ts'))};`,
        `export const handler = wrapHandler(userHandler, { config: ${JSON.stringify(configFor(i))}, validators });`,
        '',
      ].join('\n'),
    );
    handlerFiles.push(handler);
    entryFiles.push(entry);
  }
  return { handlerFiles, entryFiles };
}
