/**
 * Engine kill and restart under chaos, as `busline soak` does it: the app is stopped with work in
 * flight and started again on the same state folder (same seed); every event accepted before the
 * stop is handled after the start, each effect once, and the faults of both runs stay in the journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalApp, type LocalApp } from '../../../lib/local/index.ts';
import type { ChaosProfile } from '../../../lib/local/chaos/profile.ts';
import type { EventAcceptedRecord } from '../../../lib/local/journal/types.ts';
import { cachedAssembly } from '../../../lib/testing/synth-cache.ts';
import { greetingsStack } from '../../fixtures/greetings-flow/stack.ts';
import { faultsOf } from './support.ts';

const GREETINGS = 8;

async function idle(app: LocalApp): Promise<void> {
  while (!app.isIdle()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('a stop with work in flight and a start on the same state folder lose nothing and double nothing under chaos', async () => {
  const assembly = cachedAssembly(greetingsStack(), join(process.cwd(), 'node_modules', '.cache', 'busline', 'synth'));
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-chaos-restart-'));
  // No crashes or timeouts: on wall time their messages would wait out a 180 s visibility timeout.
  const chaos: ChaosProfile = { seed: 21, duplicate: 0.3, reorder: 0.3, throttle: 0.2, partialFailure: 0.2 };
  let app = await startLocalApp({ assembly, stateDir, chaos });
  try {
    const greet = app.subscriptions.find((s) => s.name === 'greet')!;
    for (let i = 0; i < GREETINGS; i++) {
      await app.engine.putEvents([{
        EventBusName: greet.busName, Source: 'test.greetings', DetailType: 'greeting.sent',
        Detail: JSON.stringify({ metadata: { id: `restart-${i}`, correlationId: `restart-${i}` }, data: { name: `Guest ${i}`, times: 1 } }),
      }]);
    }
    await app.stop(); // mid-flow: messages queued or in flight, effects half done
    app = await startLocalApp({ assembly, stateDir, chaos });
    await idle(app);

    const accepted = (await app.engine.journalQuery({ kinds: ['event.accepted'] })) as EventAcceptedRecord[];
    for (let i = 0; i < GREETINGS; i++) {
      const effects = accepted.filter((r) => r.topic === 'greeting.recorded' && r.causationId === `restart-${i}`);
      assert.equal(effects.length, 1, `greeting restart-${i} recorded ${effects.length} times`);
    }
    assert.deepEqual(app.engine.peekMessages(app.subscriptions.find((s) => s.name === 'greet')!.deadLetterQueueName!), []);
    assert.ok((await faultsOf(app.engine)).length > 0, 'seed 21 injects faults');
  } finally {
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
