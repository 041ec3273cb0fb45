import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { OrdersStack } from './orders-stack.ts';

/**
 * cdk-nag's AwsSolutions pack, unless this synth leaves validation out (CDK_VALIDATION=false, as
 * `busline dev` synthesizes): then it is not even loaded (a quarter of a synth's CPU). `npm run
 * synth`, test/constructs/nag.test.ts and CI check every change with it.
 */
const nag = process.env.CDK_VALIDATION === 'false' ? undefined : await import('cdk-nag');

/** The reference app: the orders flow, checked by cdk-nag's AwsSolutions pack at synth. */
export function createApp(props?: AppProps): App {
  const app = new App(props);
  new OrdersStack(app, 'BuslineOrders', {
    description: 'Busline reference flow: orders → inventory → shipping',
  });
  if (nag) Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app));
  return app;
}

// Run by the CDK CLI (cdk.json: npx tsx bin/app.ts); imported by tests without side effects.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  createApp();
}
