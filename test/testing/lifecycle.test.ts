/**
 * busline/testing: starting a flow from a cloud assembly folder, and what stop() and
 * `await using` release.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { startFlow, FlowStartError, type FlowUnderTest } from 'busline/testing';
import { greetingsStack } from '../fixtures/greetings-flow/stack.ts';

const assemblyDir = Stage.of(greetingsStack())!.synth().directory;
after(() => rmSync(assemblyDir, { recursive: true, force: true }));

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

test('a flow started from a cloud assembly folder handles what is published to it', async (t) => {
  const flow = await startFlow(assemblyDir);
  t.after(() => flow.stop());
  const lineage = await flow.waitForHandled(await flow.publish('greeting.sent', { name: 'Ada', times: 1 }));
  assert.deepEqual(lineage.handledBy.map((h) => [h.subscription, h.outcome]), [['greet', 'succeeded']]);
  assert.match(flow.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(flow.region, 'us-east-1');
});

test('stop() frees the port, and a second stop() does nothing', async () => {
  const flow = await startFlow(assemblyDir);
  const port = Number(new URL(flow.endpoint).port);
  assert.equal(await portIsFree(port), false, 'the engine listens while the flow runs');
  await flow.stop();
  assert.equal(await portIsFree(port), true);
  await flow.stop();
});

test('a state folder given to startFlow is kept after stop()', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-kept-'));
  try {
    const flow = await startFlow(assemblyDir, { stateDir });
    await flow.stop();
    assert.ok(existsSync(join(stateDir, 'journal')), 'the engine state is still there');
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('await using stops the flow when its block ends', async () => {
  let port: number;
  let escaped: FlowUnderTest;
  {
    await using flow = await startFlow(assemblyDir);
    port = Number(new URL(flow.endpoint).port);
    escaped = flow;
  }
  assert.equal(await portIsFree(port), true);
  await escaped.stop();
});

test('startFlow refuses a folder that is not a cloud assembly, saying what to pass', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'busline-empty-'));
  try {
    await assert.rejects(startFlow(empty), (error: unknown) => {
      assert.ok(error instanceof FlowStartError);
      assert.match(error.message, /is not a cloud assembly \(no manifest\.json\): pass a cdk\.out folder, or the Stack or App to synthesize/);
      return true;
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
