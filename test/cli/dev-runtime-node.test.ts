/** `busline dev` says, per runtime the functions declare, which Node runs its handlers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDev } from '../../lib/cli/commands/dev.ts';
import { cachedAssembly } from '../../lib/testing/synth-cache.ts';
import { greetingsStack, GREETINGS_DIR } from '../fixtures/greetings-flow/stack.ts';

test("the banner names the Node binary that runs the functions' declared runtime (Node 24 from node_modules/node-24 here)", async () => {
  const assembly = cachedAssembly(greetingsStack(), join(process.cwd(), 'node_modules', '.cache', 'busline', 'synth'));
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-dev-node-'));
  const { app, dashboard, banner } = await startDev({ port: 0, stateDir, projectDir: GREETINGS_DIR, assembly, quiet: true, print: () => {} });
  try {
    assert.deepEqual([...new Set(app.model.functions.map((f) => f.runtime))], ['nodejs24.x']);
    const line = banner.find((l) => l.startsWith('Node for nodejs24.x: '));
    assert.match(line ?? banner.join('\n'), /^Node for nodejs24\.x: Node 24\.\d+\.\d+ from node_modules\/node-24 \(.*\/node-24\/bin\/node; a child process per environment\)$/);
    assert.ok(!banner.some((l) => l.startsWith('note: nodejs24.x')), banner.join('\n'));
  } finally {
    await dashboard.stop();
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
