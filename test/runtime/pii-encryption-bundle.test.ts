/**
 * `"x-busline-pii": "encrypt"` in the runtime as the constructs bundle it (LAMBDA_BUNDLE_OPTIONS;
 * index.mjs with the LAZY_RUNTIME_MODULES beside it): the KMS and AES-GCM code lives in
 * pii-crypto.mjs, not in index.mjs (the bundle every function loads; its size is a tracked
 * figure), and a field that can never be decrypted still goes to the DLQ from the bundle, where
 * pii-crypto.mjs is a module apart from index.mjs (the error classes it throws are index.mjs's,
 * so the runtime knows them as non-retryable).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { LAMBDA_BUNDLE_OPTIONS, LAZY_RUNTIME_MODULES, RUNTIME_ENTRY } from '../../lib/constructs/bundler.ts';
import type * as Runtime from '../../lib/runtime/index.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { receiveBatch } from '../support/sqs-batch.ts';
import { lambdaContext } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';
import { PII_SCHEMAS_DIR, PII_TOPICS, piiSubscriptionConfig } from './fixtures/pii-flow.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(PII_SCHEMAS_DIR);
// Inside the repository, so the bundle's external `@aws-sdk/*` resolve from node_modules as on Lambda.
const dir = resolve(import.meta.dirname, `../../node_modules/.cache/busline-pii-bundle-${process.pid}`);
let runtime: typeof Runtime;
let env: MotoEnv;
let keyArn: string;

before(async () => {
  mkdirSync(dir, { recursive: true });
  await build({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: { index: RUNTIME_ENTRY, ...Object.fromEntries(LAZY_RUNTIME_MODULES.map((m) => [m.name, m.entry])) },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
  });
  runtime = await import(pathToFileURL(join(dir, 'index.mjs')).href) as typeof Runtime;
  if (skip) return;
  env = await startMotoEnv();
  const kms = new KMSClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kms.destroy();
});

after(async () => {
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('index.mjs carries no KMS or cipher code: pii-crypto.mjs beside it does', () => {
  const index = readFileSync(join(dir, 'index.mjs'), 'utf8');
  const crypto = readFileSync(join(dir, 'pii-crypto.mjs'), 'utf8');
  for (const text of ['GenerateDataKeyCommand', 'aes-256-gcm', '@aws-sdk/client-kms']) {
    assert.ok(!index.includes(text), `index.mjs must not hold ${text}`);
    assert.ok(crypto.includes(text), `pii-crypto.mjs holds ${text}`);
  }
});

test('from the bundle: the handler receives the plaintext, and an envelope under another topic goes to the DLQ as non-retryable', { skip }, async () => {
  const { busName, queueUrl } = await env.busWithQueue(['customer.registered']);
  const email = `bundle-${process.pid}@example.com`;
  await runtime.createPublisher({ topics: PII_TOPICS, validators, busName, client: env.eventBridge, piiKeyId: keyArn }).publish('customer.registered', { customerId: 'b-1', email });
  const [record] = await receiveBatch(env.sqs, queueUrl, 1);
  assert.ok(!record!.body.includes(email));

  const received: unknown[] = [];
  const dlq = await env.createQueue('pii-bundle-dlq');
  const consumer = (topic: string) => runtime.wrapHandler(async (data) => void received.push(data), { config: piiSubscriptionConfig(topic), validators, dlqUrl: dlq, piiKeyId: keyArn, output: () => undefined });

  await consumer('customer.registered')({ Records: [record!] }, lambdaContext());
  assert.deepEqual(received, [{ customerId: 'b-1', email }]);

  const event = JSON.parse(record!.body);
  event['detail-type'] = 'customer.welcomed';
  const response = await consumer('customer.welcomed')({ Records: [{ ...record!, body: JSON.stringify(event) }] }, lambdaContext());
  assert.deepEqual(response, { batchItemFailures: [] }, 'dead-lettered, not retried');
  const [dead] = await env.drain(dlq, 1);
  assert.equal(dead!.MessageAttributes?.[runtime.DLQ_ATTRIBUTES.reason]?.StringValue, 'non-retryable');
  assert.equal(dead!.MessageAttributes?.[runtime.DLQ_ATTRIBUTES.errorName]?.StringValue, 'PiiDecryptionError');
  assert.equal(received.length, 1);
});
