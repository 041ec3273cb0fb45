/**
 * The AWS-verified pattern conformance cases (../shared/conformance/eventbridge-patterns.json)
 * through TestEventPattern on the engine's wire endpoint, with the AWS SDK: every case must get
 * AWS's answer (Result true/false, or InvalidEventPatternException).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { LocalEngine } from '../../lib/local/engine.ts';
import { skipUnlessPresent } from '../support/prerequisites.ts';
import { conformanceCasesFile, patternText, readConformanceCases } from '../support/conformance-cases.ts';

const cases = readConformanceCases();
const skip = skipUnlessPresent(cases ? false : `conformance cases not found at ${conformanceCasesFile} (the shared folder goes beside the checkout)`);

const stateDir = mkdtempSync(join(tmpdir(), 'busline-conformance-'));
let engine: LocalEngine | undefined;

before(async () => {
  if (skip) return;
  engine = await LocalEngine.start({ stateDir, port: 0, withoutDynamoDb: true });
});
after(async () => {
  await engine?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** TestEventPattern needs the envelope fields AWS requires; the cases' own fields win. */
function fullEvent(event: Record<string, unknown>): string {
  return JSON.stringify({
    id: '1', account: '123456789012', source: 'test', time: '2026-01-01T00:00:00Z', region: 'us-east-1',
    'detail-type': 'test', resources: [], detail: {}, ...event,
  });
}

test('TestEventPattern on the wire gives AWS\'s answer on every conformance case', { skip }, async () => {
  const client = new EventBridgeClient({ endpoint: engine!.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const failures: string[] = [];
  const all = cases ?? [];
  for (const c of all) {
    let got: string;
    try {
      const out = await client.send(new TestEventPatternCommand({
        EventPattern: patternText(c), Event: fullEvent(c.event as Record<string, unknown>),
      }));
      got = out.Result ? 'match' : 'no-match';
    } catch (error) {
      got = (error as Error).name === 'InvalidEventPatternException' ? 'invalid-pattern' : `error ${(error as Error).name}: ${(error as Error).message}`;
    }
    if (got !== c.expect) failures.push(`${c.id}: expected ${c.expect}, got ${got}`);
  }
  console.log(`# conformance over the wire: ${all.length - failures.length}/${all.length}`);
  assert.deepEqual(failures, []);
});
