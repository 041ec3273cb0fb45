/**
 * One synth measurement in a fresh process (so no module cache or JIT warmth carries over):
 *   node --import tsx bench/synth/synth-child.ts <eventflow|plain> <subscriptions> <handlersDir> <outdir>
 * (<handlersDir> written beforehand by writeSynthHandlers.)
 * Reports over fd 3: the in-process time of constructing the app and app.synth(), and the
 * number of resources in the template.
 */
import { readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ROOT } from '../lib/machine.ts';
import { subscriptionName } from './handlers.ts';

const [kind, countArg, handlersDir, outdir] = process.argv.slice(2);
const subscriptions = Number(countArg);
if ((kind !== 'eventflow' && kind !== 'plain') || !Number.isInteger(subscriptions) || !handlersDir || !outdir) {
  console.error('usage: synth-child.ts <eventflow|plain> <subscriptions> <handlersDir> <outdir>');
  process.exit(2);
}
const names = Array.from({ length: subscriptions }, (_, i) => join(handlersDir, subscriptionName(i)));

// Timed from loading the app's own modules (lib/constructs, or the aws-cdk-lib modules the
// plain app uses) to the end of synth; aws-cdk-lib's core is loaded above by both alike.
const started = performance.now();
// aws-cdk-lib's stack resource limit check (CloudFormation's 500) stays on, as in a user's synth.
const app = new App({ outdir });
if (kind === 'plain') {
  const { buildPlainStack } = await import('./plain-app.ts');
  buildPlainStack(app, { entries: names.map((n) => `${n}.entry.mjs`), projectRoot: ROOT });
} else {
  const { buildEventFlowStack } = await import('./eventflow-app.ts');
  buildEventFlowStack(app, names.map((n) => `${n}.ts`));
}
app.synth();
const synthMs = performance.now() - started;

const template = readdirSync(outdir).find((f) => f.endsWith('.template.json'));
const resources = template ? Object.keys((JSON.parse(readFileSync(join(outdir, template), 'utf8')) as { Resources: object }).Resources).length : 0;
writeSync(3, JSON.stringify({ synthMs, resources }) + '\n');
