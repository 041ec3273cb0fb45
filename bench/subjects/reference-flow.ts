/**
 * A subscription of the reference flow exactly as the constructs declare it: the
 * OrdersStack is constructed (not synthesized) so the bench reads the SubscriptionConfig
 * EventFlow bakes into the bundle and the validators module it generates, instead of
 * writing either by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { OrdersStack } from '../../bin/orders-stack.ts';
import type { SubscriptionConfig } from '../../lib/runtime/subscription-config.ts';
import { generateValidatorModule } from '../../lib/schema/validator-codegen.ts';
import { ROOT } from '../lib/machine.ts';

export interface ReferenceSubscription {
  readonly config: SubscriptionConfig;
  readonly handlerFile: string;
  /** Source of the ES module exporting `validators`, as EventFlow generates it. */
  readonly validatorsModule: string;
}

export function referenceSubscription(name: string): ReferenceSubscription {
  const cwd = process.cwd();
  // EventFlow resolves handlers and schemas against the app's folder: the repository root.
  process.chdir(ROOT);
  try {
    const stack = new OrdersStack(new App(), 'BenchOrders');
    const sub = stack.flow.subscriptions.find((s) => s.name === name);
    if (!sub) throw new Error(`the reference flow has no subscription ${name}: it has ${stack.flow.subscriptions.map((s) => s.name).join(', ')}`);
    return {
      config: sub.config,
      handlerFile: sub.handlerFile,
      validatorsModule: generateValidatorModule([sub.topic, ...sub.publishes].map((t) => t.schemas)),
    };
  } finally {
    process.chdir(cwd);
  }
}

/** Writes the validators module under `dir` and returns its path, ready for import(). */
export function writeValidatorsModule(dir: string, source: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'validators.mjs');
  writeFileSync(file, source);
  return file;
}
