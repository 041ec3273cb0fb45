/**
 * The synth cache of `busline dev` and an app with a Lambda function that is not a Busline
 * subscription (lambda.Function from an asset folder): its code is not in what the synth records,
 * so the cache is not used for that app, and the reason names the function.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedSynth } from '../../lib/cli/cached-synth.ts';
import { tinyProject } from './support/tiny-project.ts';

const project = tinyProject();
const cacheDir = mkdtempSync(join(tmpdir(), 'busline-dev-synth-untracked-'));
after(() => {
  project.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

project.write('stack.ts', [
  "import { dirname, join } from 'node:path';",
  "import { fileURLToPath } from 'node:url';",
  "import { Stack, type App } from 'aws-cdk-lib';",
  "import * as lambda from 'aws-cdk-lib/aws-lambda';",
  'export function notesStack(app: App): Stack {',
  "  const stack = new Stack(app, 'Plain', { env: { account: '000000000000', region: 'us-east-1' } });",
  "  new lambda.Function(stack, 'Plain', {",
  '    runtime: lambda.Runtime.NODEJS_22_X,',
  "    handler: 'plain.handler',",
  "    code: lambda.Code.fromAsset(join(dirname(fileURLToPath(import.meta.url)), 'plain')),",
  '  });',
  '  return stack;',
  '}',
  '',
].join('\n'));
project.write('plain/plain.mjs', 'export const handler = async () => ({ ok: true });\n');

test('an app with a function that is not a subscription is synthesized again at each start, naming the function', { timeout: 240_000 }, async () => {
  await cachedSynth({ projectDir: project.dir, cacheDir });
  const again = await cachedSynth({ projectDir: project.dir, cacheDir });
  assert.equal(again.cached, false);
  assert.match(again.reason ?? '', /^functions not declared by Busline subscriptions \(Plain[0-9A-F]{8}\) have code the cache cannot follow$/);
});
