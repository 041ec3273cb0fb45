/** `busline dev --chaos <profile> [--seed N]`: the profile is checked before anything starts, and the engine runs with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorsOf } from './support/main-errors.ts';
import { startDev } from '../../lib/cli/commands/dev.ts';
import { parseChaosProfile } from '../../lib/local/chaos/profile.ts';
import { cachedAssembly } from '../../lib/testing/synth-cache.ts';
import { greetingsStack, GREETINGS_DIR } from '../fixtures/greetings-flow/stack.ts';

test('an unknown fault in --chaos exits 2, naming it and the valid keys', async () => {
  const { code, text } = await errorsOf(['dev', '--chaos', 'duplicate=0.1,crsh=0.1', '--state', '/nonexistent-busline-state']);
  assert.equal(code, 2);
  assert.match(text, /--chaos: unknown chaos fault "crsh": valid keys are duplicate, reorder, .*visibility-expiry/);
});

test('--seed without --chaos exits 2', async () => {
  const { code, text } = await errorsOf(['dev', '--seed', '7', '--state', '/nonexistent-busline-state']);
  assert.equal(code, 2);
  assert.match(text, /--seed is the seed of --chaos/);
});

test('busline dev with a chaos profile says so in its banner, and its engine injects the faults', async () => {
  const assembly = cachedAssembly(greetingsStack(), join(process.cwd(), 'node_modules', '.cache', 'busline', 'synth'));
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-dev-chaos-'));
  const { app, dashboard, banner } = await startDev({
    port: 0, stateDir, projectDir: join(GREETINGS_DIR, '.'), assembly, quiet: true, print: () => {},
    chaos: parseChaosProfile('duplicate=1', 7),
  });
  try {
    assert.ok(banner.some((l) => l.startsWith('Chaos: duplicate=1 (seed 7)')), banner.join('\n'));
    const bus = app.model.buses.find((b) => b.name !== 'default')!.name;
    await app.engine.putEvents([{ EventBusName: bus, Source: 'test.greetings', DetailType: 'greeting.sent', Detail: JSON.stringify({ metadata: {}, data: { name: 'Ada', times: 1 } }) }]);
    const faults = await app.engine.journalQuery({ kinds: ['chaos.fault'] });
    assert.ok(faults.length > 0);
  } finally {
    await dashboard.stop();
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
