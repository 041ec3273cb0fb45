/**
 * The synth cache of busline/testing (lib/testing/synth-cache.ts): an app is synthesized once
 * per content; the same app built again (another test file, another run) is not synthesized
 * again, and a change to what the synth is made of gives another key.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Backoff, EventFlow } from 'busline';
import { cachedAssembly, synthKey } from '../../lib/testing/synth-cache.ts';
import { GREETINGS_DIR, greetingsStack } from '../fixtures/greetings-flow/stack.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'busline-synth-cache-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

/** The greetings flow's `refuse` alone, with `maxAttempts` attempts. */
function refuseStack(maxAttempts: number): Stack {
  const stack = new Stack(new App(), 'Refuse', { env: { account: '000000000000', region: 'us-east-1' } });
  const flow = new EventFlow(stack, 'Refuse', { rootDir: GREETINGS_DIR, schemaRegistry: false });
  const sent = flow.addTopic('greeting.sent', { source: 'test.greetings' });
  flow.addSubscription('refuse', { topic: sent, handler: 'handlers/refuse.ts', maxAttempts, backoff: Backoff.fixed(Duration.seconds(1)) });
  return stack;
}

test('the same app built twice has one key', () => {
  assert.equal(synthKey(Stage.of(greetingsStack())!), synthKey(Stage.of(greetingsStack())!));
});

test("a change to a subscription's declaration gives another key", () => {
  assert.notEqual(synthKey(Stage.of(refuseStack(2))!), synthKey(Stage.of(refuseStack(3))!));
});

test('an app whose assembly is in the cache is not synthesized again', { timeout: 300_000 }, () => {
  const first = cachedAssembly(refuseStack(4), cacheDir);
  assert.ok(existsSync(join(first, 'manifest.json')));
  const again = refuseStack(4);
  Stage.of(again)!.synth = () => { throw new Error('synthesized again'); };
  assert.equal(cachedAssembly(again, cacheDir), first);
});
