/**
 * The entry the constructs generate imports only the runtime features its subscription's config
 * uses (lib/constructs/bundler.ts featureImports): a bundle carries no module of a feature it
 * does not use (read from esbuild's metafile, by input file), and each bundle still runs the
 * feature it does use: its commit step against the local DynamoDB backend, its PII masking and
 * field encryption on the PII fixtures' topics.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
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
import { PII_SCHEMAS_DIR, PII_TOPICS, piiSubscriptionConfig } from '../runtime/fixtures/pii-flow.ts';
import { ENVELOPE_MARK } from '../../lib/runtime/pii-envelope.ts';
import { projectWith, ROOT, cleanup } from './helpers.ts';

// Bundles keep `@aws-sdk/*` external, so a bundle that is imported here must sit where Node
// finds the project's node_modules: a scratch folder inside it.
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'busline-constructs-tests');
mkdirSync(SCRATCH, { recursive: true });
const workRoot = mkdtempSync(join(SCRATCH, 'features-'));
after(() => rmSync(workRoot, { recursive: true, force: true }));
after(cleanup);

const VALIDATORS = generateValidatorModule([...loadSchemas(join(ROOT, 'schemas')).values()].filter((s) => s.topic === 'order.placed'));
const PII_VALIDATORS = generateValidatorModule(loadSchemas(PII_SCHEMAS_DIR).values());
const ORDER = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'SKU-1', qty: 1 }], total: 9.5, currency: 'EUR' };

// The handler declares one write, committed by whichever commit step the bundle carries.
const handlerDir = projectWith({
  'handler.ts': [
    'export default async function handler(data: { orderId: string }, ctx: { write(...items: unknown[]): void }): Promise<void> {',
    "  ctx.write({ Put: { TableName: process.env['RESERVATIONS_TABLE'], Item: { orderId: { S: data.orderId } } } });",
    '}',
    '',
  ].join('\n'),
  // Fails quoting a PII field, as an error message may.
  'pii-handler.ts': [
    'export default async function handler(data: { phone?: string }): Promise<void> {',
    "  throw new Error(`no route for ${data.phone}`);",
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
function bundleOf(config: SubscriptionConfig, handler = 'handler.ts', validatorsModule = VALIDATORS): FeatureBundle {
  const name = `fn${++bundles}`;
  const workDir = join(workRoot, name);
  const dir = bundleHandlers([{ name, handlerFile: join(handlerDir, handler), validatorsModule, config }], workDir).get(name)!;
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

test('a subscription with dedupe keyed on the event id ships no key taken from data', () => {
  const { runtimeFiles } = bundleOf(configWith({ dedupe: { ttlSeconds: 3600 } }));
  assert.ok(runtimeFiles.includes('dedupe/dedupe-key.ts'), runtimeFiles.join(', '));
  assert.ok(!runtimeFiles.includes('dedupe/dedupe-key-path.ts'), runtimeFiles.join(', '));
});

test('a subscription whose dedupe names a keyPath ships the key taken from data', () => {
  const { runtimeFiles } = bundleOf(configWith({ dedupe: { ttlSeconds: 3600, keyPath: 'orderId' } }));
  assert.ok(runtimeFiles.includes('dedupe/dedupe-key-path.ts'), runtimeFiles.join(', '));
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

test('the bundle of a subscription whose dedupe names a keyPath keys its dedupe record on that value', async () => {
  const failures = await runOrder(bundleOf(configWith({ dedupe: { ttlSeconds: 3600, keyPath: 'orderId' } })), 'o-keyed');
  assert.deepEqual(failures, []);
  assert.equal((await readDedupeItem(client, dedupeTable, 'reserve#o-keyed'))?.['status']?.S, 'COMPLETED');
});

test('the bundle of a subscription with dedupe off commits the handler\'s write with the effects step', async () => {
  const failures = await runOrder(bundleOf(configWith({ dedupe: false })), 'o-dedupe-off');
  assert.deepEqual(failures, []);
  assert.ok(await reservationOf('o-dedupe-off'), 'the write is committed');
});

/** The PII fixtures' topics with "x-busline-pii": "mask" fields only: their encrypt fields not marked. */
const MASK_ONLY_TOPICS = Object.fromEntries(Object.entries(PII_TOPICS).map(([topic, { encryptPaths: _, ...info }]) => [topic, info]));
const piiBundle = (config: SubscriptionConfig) => bundleOf(config, 'pii-handler.ts', PII_VALIDATORS);

/**
 * The lines (log lines and EMF) the bundle writes to stdout handling `event`, run in a node
 * process of its own (stdout is the runtime's sink) with `BUSLINE_LOG_LEVEL=info`. A failed
 * direct event makes the handler throw (Lambda's async retries take over): not an error here.
 */
async function stdoutLinesOf(bundle: FeatureBundle, event: unknown): Promise<Array<Record<string, unknown>>> {
  const script = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});`,
    `const deadline = Date.now() + 30000;`,
    `await handler(${JSON.stringify(event)}, { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => deadline - Date.now() }).catch(() => undefined);`,
  ].join('\n');
  // Asynchronously: the child counts failed attempts in the local DynamoDB backend this process serves.
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, BUSLINE_LOG_LEVEL: 'info', NODE_NO_WARNINGS: '1' } });
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The PII fixtures' subscription to customer.registered, delivered directly (no queue to call back). */
function piiConfig(overrides: Partial<SubscriptionConfig> = {}): SubscriptionConfig {
  return { ...piiSubscriptionConfig('customer.registered'), delivery: 'direct', ...overrides };
}

test('a subscription whose topics have no PII fields ships neither the finding of PII values nor the field encryption', () => {
  const { runtimeFiles } = bundleOf(configWith({}));
  assert.ok(!runtimeFiles.includes('pii-values.ts'), runtimeFiles.join(', '));
  assert.ok(!runtimeFiles.includes('pii-encryption.ts'), runtimeFiles.join(', '));
});

test('a subscription with "x-busline-pii" fields and none to encrypt ships the finding of PII values, not the field encryption', () => {
  const { runtimeFiles } = piiBundle(piiConfig({ topics: MASK_ONLY_TOPICS }));
  assert.ok(runtimeFiles.includes('pii-values.ts'), runtimeFiles.join(', '));
  assert.ok(!runtimeFiles.includes('pii-encryption.ts'), runtimeFiles.join(', '));
});

test('a subscription with "x-busline-pii": "encrypt" fields ships the field encryption and the finding of PII values', () => {
  const { runtimeFiles } = piiBundle(piiConfig());
  assert.ok(runtimeFiles.includes('pii-encryption.ts'), runtimeFiles.join(', '));
  assert.ok(runtimeFiles.includes('pii-values.ts'), runtimeFiles.join(', '));
});

test('the bundle of a subscription with "x-busline-pii" fields masks their values in its log lines', async () => {
  const phone = '+33 6 12 34 56 78';
  const lines = await stdoutLinesOf(piiBundle(piiConfig({ topics: MASK_ONLY_TOPICS })), eventBridgeEvent('customer.registered', { customerId: 'c-1', email: 'a@example.com', phone }));
  const failed = lines.find((l) => JSON.stringify(l).includes('no route for'));
  assert.ok(failed, 'the handler\'s failure is logged');
  assert.match(JSON.stringify(failed), /no route for \*\*\*/);
  assert.ok(!lines.some((l) => JSON.stringify(l).includes(phone)), 'the phone number is in no line');
});

test('the bundle of a subscription publishing a topic with encrypt fields refuses to load without the KMS key', async () => {
  delete process.env['BUSLINE_PII_KEY'];
  const bundle = piiBundle(piiConfig({ publishes: ['customer.welcomed'] }));
  await assert.rejects(import(pathToFileURL(bundle.file).href), /customer\.welcomed have fields marked "x-busline-pii": "encrypt", and no KMS key is configured.*BUSLINE_PII_KEY/);
});

test('the bundle of a subscription consuming a topic with encrypt fields dead-letters a field that can never be decrypted', async () => {
  const lines = await stdoutLinesOf(piiBundle(piiConfig()), eventBridgeEvent('customer.registered', { customerId: 'c-2', email: { [ENVELOPE_MARK]: 99 } }));
  const deadLettered = lines.find((l) => l['message'] === 'record dead-lettered');
  assert.ok(deadLettered, lines.map((l) => l['message']).join(', '));
  assert.match(JSON.stringify(deadLettered), /PiiDecryptionError/);
});

test('a subscription that accepts every schema version ships no check of accepted versions', () => {
  const { runtimeFiles } = bundleOf(configWith({}));
  assert.ok(!runtimeFiles.includes('middleware/accepted-versions.ts'), runtimeFiles.join(', '));
});

test('a subscription with acceptsVersions ships the check of accepted versions', () => {
  const { runtimeFiles } = bundleOf(configWith({ acceptsVersions: { 'order.placed': [2] } }));
  assert.ok(runtimeFiles.includes('middleware/accepted-versions.ts'), runtimeFiles.join(', '));
});

test('the bundle of a subscription with acceptsVersions dead-letters an event of a version it does not accept', async () => {
  const config = configWith({ delivery: 'direct', dedupe: false, acceptsVersions: { 'order.placed': [2] } });
  const lines = await stdoutLinesOf(bundleOf(config), eventBridgeEvent('order.placed', ORDER, { schemaVersion: 1 }));
  const deadLettered = lines.find((l) => l['message'] === 'record dead-lettered');
  assert.ok(deadLettered, lines.map((l) => l['message']).join(', '));
  assert.match(JSON.stringify(deadLettered), /schemaVersion 1 of topic order\.placed, which this subscription does not accept \(it accepts 2\)/);
});
