import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { bundleHandlers, BundlingError } from '../../lib/constructs/bundler.ts';
import { EventFlow } from '../../lib/constructs/index.ts';
import type { SubscriptionConfig } from '../../lib/runtime/subscription-config.ts';
import { cdkJsonContext, cleanup, projectWith, ROOT, tempDir } from './helpers.ts';

// Bundles keep `@aws-sdk/*` external, so a bundle that is imported here must sit where
// Node finds the project's node_modules: a scratch folder inside it.
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'busline-constructs-tests');
mkdirSync(SCRATCH, { recursive: true });
const outdir = mkdtempSync(join(SCRATCH, 'out-'));
after(() => rmSync(outdir, { recursive: true, force: true }));
after(cleanup);

// The CDK CLI turns asset metadata on; so does this test, to find each function's bundle.
const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true } });
const stack = new Stack(app, 'BundleStack');
const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT });
const orderPlaced = flow.addTopic('order.placed', { source: 'shop.orders' });
const inventoryReserved = flow.addTopic('inventory.reserved', { source: 'shop.inventory' });
const reserve = flow.addSubscription('reserve-inventory', { topic: orderPlaced, handler: 'functions/reserve-inventory.ts', publishes: [inventoryReserved] });
flow.addSubscription('customer-history', { topic: orderPlaced, handler: 'functions/customer-history.ts' });
const assembly = app.synth();
const template = Template.fromJSON(assembly.getStackByName('BundleStack').template);

/** The bundle folder staged as the asset of the function whose logical id contains `fragment`. */
function bundleDirOf(fragment: string): string {
  const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.includes(fragment))!;
  return join(outdir, (fn as { Metadata: Record<string, string> }).Metadata['aws:asset:path']!);
}

test('each function gets its own asset folder holding index.mjs and the runtime modules loaded only when needed (tracing on, encrypted PII fields)', () => {
  for (const fragment of ['ReserveInventoryFunction', 'CustomerHistoryFunction']) {
    assert.deepEqual(readdirSync(bundleDirOf(fragment)).sort(), ['index.mjs', 'pii-crypto.mjs', 'record-spans.mjs', 'trace-export.mjs']);
  }
  assert.notEqual(bundleDirOf('ReserveInventoryFunction'), bundleDirOf('CustomerHistoryFunction'));
});

test('the bundle is minified ESM with the subscription configuration baked in and @aws-sdk left external', () => {
  const code = readFileSync(join(bundleDirOf('ReserveInventoryFunction'), 'index.mjs'), 'utf8');
  // The runtime loads the SDK by name at run time (require, else import()): the name stays, its code does not.
  assert.match(code, /import\("@aws-sdk\/client-dynamodb"\)/);
  assert.ok(!code.includes('DynamoDBClient.prototype'), 'the SDK itself is not bundled');
  assert.match(code, /subscription:"reserve-inventory",delivery:"queue"/, 'the SubscriptionConfig is in the bundle');
  assert.ok(code.split('\n').length < 20, 'minified');
  // Span code and exporter set-up are not in index.mjs: it imports them by a computed name when needed.
  assert.ok(!code.includes('busline.hop') && !code.includes('resourceFromAttributes'), 'record-spans and trace-export stay out of index.mjs');
});

test('the OpenTelemetry API is not in index.mjs: record-spans.mjs carries it, loaded once something registers with the API', () => {
  // The API's own message for a registration of another version marks its code wherever it is bundled.
  const marker = 'does not match previously registered API';
  assert.ok(!readFileSync(join(bundleDirOf('ReserveInventoryFunction'), 'index.mjs'), 'utf8').includes(marker));
  assert.ok(readFileSync(join(bundleDirOf('ReserveInventoryFunction'), 'record-spans.mjs'), 'utf8').includes(marker));
});

test('the bundle holds the validators compiled at build time, with no ajv compiler', () => {
  const code = readFileSync(join(bundleDirOf('ReserveInventoryFunction'), 'index.mjs'), 'utf8');
  assert.ok(code.includes('order.placed') && code.includes('inventory.reserved'));
  assert.ok(!code.includes('compileAsync') && !code.includes('new Ajv'), 'no ajv compiler in the bundle');
});

test('the bundle loads in Node, with the environment its template gives it, and exports the Lambda handler', async () => {
  // The wrapper checks its configuration at load, as in Lambda: give it the function's
  // variables, with each deploy-time reference standing in as its logical id.
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))
    .find((r) => JSON.stringify(r).includes('reserve-inventory') || JSON.stringify(r).includes('ReserveInventory')) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  for (const [name, value] of Object.entries(fn.Properties.Environment.Variables)) {
    process.env[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const mod = (await import(pathToFileURL(join(bundleDirOf('ReserveInventoryFunction'), 'index.mjs')).href)) as { handler?: unknown };
  assert.equal(typeof mod.handler, 'function');
});

test('the function code points at the staged bundle asset', () => {
  const dir = bundleDirOf('ReserveInventoryFunction');
  const hash = dir.split('asset.')[1]!;
  template.hasResourceProperties('AWS::Lambda::Function', { Code: { S3Key: `${hash}.zip` }, Handler: 'index.handler' });
  assert.ok(reserve.node.tryFindChild('Code'), 'the asset is a child of the subscription');
});

const config = (subscription: string): SubscriptionConfig => ({
  flow: 'f', subscription, delivery: 'queue', consumes: [], publishes: [], topics: {},
  retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 10 }, dedupe: false,
});

test('bundleHandlers bundles every entry in one call, into one folder per entry', () => {
  const root = projectWith({ 'a.ts': 'export default async function a(): Promise<void> {}\n', 'b.ts': 'export default async function b(): Promise<void> {}\n' });
  const dirs = bundleHandlers([
    { name: 'a', handlerFile: join(root, 'a.ts'), validatorsModule: 'export const validators = {};\n', config: config('a') },
    { name: 'b', handlerFile: join(root, 'b.ts'), validatorsModule: 'export const validators = {};\n', config: config('b') },
  ], tempDir());
  assert.deepEqual([...dirs.keys()], ['a', 'b']);
  for (const dir of dirs.values()) assert.ok(existsSync(join(dir, 'index.mjs')));
});

test('a handler that does not compile fails bundling with the file and line', () => {
  const root = projectWith({ 'bad.ts': 'export default async function (: Promise<void> {}\n' });
  assert.throws(
    () => bundleHandlers([{ name: 'bad', handlerFile: join(root, 'bad.ts'), validatorsModule: 'export const validators = {};\n', config: config('bad') }], tempDir()),
    (err: unknown) => err instanceof BundlingError && err.message.includes('bad.ts:1:'),
  );
});

test('an entry whose config wrapHandler would refuse fails bundling at synth with its message, since the bundle does not check it again', () => {
  const root = projectWith({ 'c.ts': 'export default async function c(): Promise<void> {}\n' });
  const broken = { ...config('c'), retry: { maxAttempts: 0, backoffBaseSeconds: 1, backoffMaxSeconds: 10 } };
  assert.throws(
    () => bundleHandlers([{ name: 'c', handlerFile: join(root, 'c.ts'), validatorsModule: 'export const validators = {};\n', config: broken }], tempDir()),
    /wrapHandler\(c\): invalid config: retry\.maxAttempts must be an integer ≥ 1, got 0/,
  );
});
