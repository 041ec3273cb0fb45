import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersStack } from './orders-stack.ts';

/** The reference app: the orders flow, checked by cdk-nag's AwsSolutions pack at synth. */
export function createApp(props?: AppProps): App {
  const app = new App(props);
  new OrdersStack(app, 'BuslineOrders', {
    description: 'Busline reference flow: orders → inventory → shipping',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

// Run by the CDK CLI (cdk.json: npx tsx bin/app.ts); imported by tests without side effects.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  createApp();
}
