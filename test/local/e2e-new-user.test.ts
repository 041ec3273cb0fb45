/**
 * What a new user does after `npm install`: `npm start` (busline dev on the reference flow,
 * synthesized from cdk.json), paste the publish command it prints, then `busline events`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { PROJECT_DIR, busline, referenceFlowPresent, startEngineProcess, tempStateDir, waitFor, type EngineProcess } from './support/reference-flow.ts';
import { skipUnlessPresent } from '../support/prerequisites.ts';

const skip = skipUnlessPresent(referenceFlowPresent() ? false : 'the reference flow (bin/app.ts, bin/orders-stack.ts) is not in this checkout');
const stateDir = tempStateDir();
let engine: EngineProcess | undefined;

after(async () => {
  await engine?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('busline dev prints a publish command that works when pasted, and busline events shows the flow it ran', { skip, timeout: 400_000 }, async () => {
  engine = await startEngineProcess(undefined, stateDir);
  const banner = await waitFor('the printed publish command', async () => /^ {2}(npx busline publish .*)$/m.exec(engine!.output())?.[1]);
  assert.match(engine.output(), /reserve-inventory +order\.placed \(queue\)/);

  const pasted = spawnSync('sh', ['-c', banner], { cwd: PROJECT_DIR, encoding: 'utf8' });
  assert.equal(pasted.status, 0, pasted.stderr);
  const correlation = /correlationId=(\S+)/.exec(pasted.stdout)?.[1];
  assert.ok(correlation, pasted.stdout);

  const tree = await waitFor('notify-customer in the lineage', async () => {
    const out = busline(['events', '--correlation', correlation!, '--state', stateDir]);
    return /notify-customer success/.test(out.stdout) ? out.stdout : undefined;
  }, 120_000);
  assert.match(tree, /order\.placed[\s\S]*reserve-inventory success[\s\S]*inventory\.reserved[\s\S]*shipment\.scheduled/);
});
