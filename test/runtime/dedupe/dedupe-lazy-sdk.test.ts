/**
 * Cold start: wrapping a handler with dedupe on must not load the DynamoDB SDK; the
 * first record that needs the store does. Checked in a fresh Node process, since this
 * test runner's own process may have loaded the SDK already.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const SCRIPT = `
import { createRequire } from 'node:module';
import { wrapHandler } from './lib/runtime/index.ts';
import { loadValidators } from './test/support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from './test/runtime/fixtures/flow.ts';

// The SDK is CommonJS: once loaded, its files are in the require cache.
const cache = createRequire(import.meta.url).cache;
const sdkLoaded = () => Object.keys(cache).some((file) => file.includes('client-dynamodb'));
const validators = await loadValidators(SCHEMAS_DIR);
const handler = wrapHandler(async () => {}, {
  config: subscriptionConfig({ delivery: 'direct', dedupe: { ttlSeconds: 60 } }),
  validators,
  dedupe: { tableName: 'orders-dedupe' },
  output: () => {},
});
const afterWrap = sdkLoaded();
// Nothing listens on port 9: the store call fails, after the SDK has been loaded for it.
const outcome = await handler(eventBridgeEvent('order.placed', { orderId: 'o-1', quantity: 1 }), lambdaContext()).then(() => 'ok', (e) => e.name);
console.log(JSON.stringify({ afterWrap, afterFirstRecord: sdkLoaded(), outcome }));
`;

test('wrapping a handler with dedupe on does not load the DynamoDB SDK; the first record that needs the store does', () => {
  const child = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  assert.equal(child.status, 0, child.stderr);
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  assert.deepEqual(JSON.parse(lastLine), { afterWrap: false, afterFirstRecord: true, outcome: 'DedupeStoreError' });
});
