/**
 * The entry the constructs generate imports only the runtime features its subscription's config
 * uses (lib/constructs/bundler.ts featureImports): a bundle carries no module of a feature it
 * does not use (read from esbuild's metafile, by input file), and each bundle still runs the
 * feature it does use, here against the local DynamoDB backend.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bundleHandlers, functionEntryPoints, handlerBuildOptions } from '../../lib/constructs/bundler.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateValidatorModule } from '../../lib/schema/validator-codegen.ts';
import type { SubscriptionConfig } from '../../lib/runtime/subscription-config.ts';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { createDedupeTable, createStringKeyTable, readDedupeItem, testDynamoDbClient } from '../support/dedupe-table.ts';
import { eventBridgeEvent, lambdaContext, sqsRecord } from '../runtime/fixtures/flow.ts';
import { projectWith, ROOT, cleanup } from './helpers.ts';

// Bundles keep `@aws-sdk/*` external, so a bundle that is imported here must sit where Node
// finds the project's node_modules: a scratch folder inside it.
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'busline-constructs-tests');
mkdirSync(SCRATCH, { recursive: true });
const workRoot = mkdtempSync(join(SCRATCH, 'features-'));
after(() => rmSync(workRoot, { recursive: true, force: true }));
after(cleanup);

const VALIDATORS = generateValidatorModule([...loadSchemas(join(ROOT, 'schemas')).values()].filter((s) => s.topic === 'order.placed'));
const ORDER = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'SKU-1', qty: 1 }], total: 9.5, currency: 'EUR' };

// The handler declares one write, committed by whichever commit step the bundle carries.
const handlerDir = projectWith({
  'handler.ts': [
    'export default async function handler(data: { orderId: string }, ctx: { write(...items: unknown[]): void }): Promise<void> {',
    "  ctx.write({ Put: { TableName: process.env['RESERVATIONS_TABLE'], Item: { orderId: { S: data.orderId } } } });",
    '}',
    '',
  ].join('\n'),
});

function configWith(overrides: Partial<SubscriptionConfig>): SubscriptionConfig {
  return {
    flow: 'Orders', subscription: 'reserve', delivery: 'queue', consumes: ['order.placed'], publishes: [],
    topics: { 'order.placed': { source: 'shop.orders', latestVersion: 1 } },
    retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 10 }, dedupe: { ttlSeconds: 3600 }, ...overrides,
  };
}

interface FeatureBundle {
  /** The runtime files index.mjs is made of, relative to lib/runtime (`dedupe/dedupe-step.ts`). */
  readonly runtimeFiles: readonly string[];
  readonly file: string;
}

let bundles = 0;
/** The function bundle of `config` as the constructs make it, and the runtime files in its index.mjs. */
function bundleOf(config: SubscriptionConfig): FeatureBundle {
  const name = `fn${++bundles}`;
  const workDir = join(workRoot, name);
  const dir = bundleHandlers([{ name, handlerFile: join(handlerDir, 'handler.ts'), validatorsModule: VALIDATORS, config }], workDir).get(name)!;
  // The same build again with its metafile: which inputs went into index.mjs.
  const built = buildSync({ ...handlerBuildOptions(functionEntryPoints(name, join(workDir, 'src', name, 'entry.mjs')), join(workDir, 'meta'), workDir), metafile: true, write: false });
  const [, index] = Object.entries(built.metafile!.outputs).find(([file]) => file.endsWith(`${name}/index.mjs`))!;
  const marker = `lib${sep}runtime${sep}`;
  const runtimeFiles = Object.keys(index.inputs).map((f) => join(workDir, f)).filter((f) => f.includes(marker)).map((f) => f.slice(f.lastIndexOf(marker) + marker.length).split(sep).join('/'));
  return { runtimeFiles, file: join(dir, 'index.mjs') };
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] } | null | undefined>;

let dynamo: RunningDynalite;
let client: DynamoDBClient;
let reservations = '';
let dedupeTable = '';

before(async () => {
  dynamo = await startDynalite();
  client = testDynamoDbClient(dynamo.endpoint);
  reservations = `reservations-${process.pid}`;
  await createStringKeyTable(client, reservations, 'orderId');
  dedupeTable = await createDedupeTable(client, 'features');
  // What the constructs set on the function, and the SDK's endpoint and credentials for the local backend.
  Object.assign(process.env, {
    RESERVATIONS_TABLE: reservations,
    BUSLINE_DEDUPE_TABLE: dedupeTable,
    BUSLINE_LOG_LEVEL: 'silent',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
after(async () => {
  client.destroy();
  await dynamo.stop();
});

/** Runs one order.placed event with `orderId` (its metadata.id `evt-<orderId>`) through the bundle and returns its batch item failures. */
async function runOrder(bundle: FeatureBundle, orderId: string): Promise<unknown[]> {
  const { handler } = (await import(pathToFileURL(bundle.file).href)) as { handler: LambdaHandler };
  const event = eventBridgeEvent('order.placed', { ...ORDER, orderId }, { id: `evt-${orderId}` });
  const response = await handler({ Records: [sqsRecord(JSON.stringify(event))] }, lambdaContext());
  return response?.batchItemFailures ?? [];
}

async function reservationOf(orderId: string): Promise<unknown> {
  const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  return (await client.send(new GetItemCommand({ TableName: reservations, Key: { orderId: { S: orderId } }, ConsistentRead: true }))).Item;
}

test('a subscription with dedupe on ships the dedupe step and not the effects step', () => {
  const { runtimeFiles } = bundleOf(configWith({ dedupe: { ttlSeconds: 3600 } }));
  assert.ok(runtimeFiles.includes('dedupe/dedupe-step.ts'), runtimeFiles.join(', '));
  assert.ok(!runtimeFiles.includes('effects/effects-step.ts'), runtimeFiles.join(', '));
});

test('a subscription with dedupe off ships the effects step and nothing of dedupe/', () => {
  const { runtimeFiles } = bundleOf(configWith({ dedupe: false }));
  assert.ok(runtimeFiles.includes('effects/effects-step.ts'), runtimeFiles.join(', '));
  assert.deepEqual(runtimeFiles.filter((f) => f.startsWith('dedupe/')), []);
});

test('the bundle of a subscription with dedupe on commits the handler\'s write with its dedupe record', async () => {
  const failures = await runOrder(bundleOf(configWith({ dedupe: { ttlSeconds: 3600 } })), 'o-dedupe-on');
  assert.deepEqual(failures, []);
  assert.ok(await reservationOf('o-dedupe-on'), 'the write is committed');
  assert.equal((await readDedupeItem(client, dedupeTable, 'reserve#evt-o-dedupe-on'))?.['status']?.S, 'COMPLETED');
});

test('the bundle of a subscription with dedupe off commits the handler\'s write with the effects step', async () => {
  const failures = await runOrder(bundleOf(configWith({ dedupe: false })), 'o-dedupe-off');
  assert.deepEqual(failures, []);
  assert.ok(await reservationOf('o-dedupe-off'), 'the write is committed');
});
