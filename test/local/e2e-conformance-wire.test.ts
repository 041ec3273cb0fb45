/**
 * The AWS-verified pattern conformance cases (../shared/conformance/eventbridge-patterns.json)
 * through TestEventPattern on the engine's wire endpoint, with the AWS SDK: every case must get
 * AWS's answer (Result true/false, or InvalidEventPatternException).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { LocalEngine } from '../../lib/local/engine.ts';
import { skipUnlessPresent } from '../support/prerequisites.ts';

function findCasesFile(): string {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  for (;;) {
    const candidate = join(dir, 'shared', 'conformance', 'eventbridge-patterns.json');
    if (existsSync(candidate) || dirname(dir) === dir) return candidate;
    dir = dirname(dir);
  }
}
const casesFile = findCasesFile();
const skip = skipUnlessPresent(existsSync(casesFile) ? false : `conformance cases not found at ${casesFile} (the shared folder goes beside the checkout)`);

interface ConformanceCase {
  readonly id: string;
  readonly pattern: unknown;
  readonly patternRaw?: boolean;
  readonly event: Record<string, unknown>;
  readonly expect: 'match' | 'no-match' | 'invalid-pattern';
}

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
  const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as ConformanceCase[];
  const failures: string[] = [];
  for (const c of cases) {
    let got: string;
    try {
      const out = await client.send(new TestEventPatternCommand({
        EventPattern: c.patternRaw ? String(c.pattern) : JSON.stringify(c.pattern), Event: fullEvent(c.event),
      }));
      got = out.Result ? 'match' : 'no-match';
    } catch (error) {
      got = (error as Error).name === 'InvalidEventPatternException' ? 'invalid-pattern' : `error ${(error as Error).name}: ${(error as Error).message}`;
    }
    if (got !== c.expect) failures.push(`${c.id}: expected ${c.expect}, got ${got}`);
  }
  console.log(`# conformance over the wire: ${cases.length - failures.length}/${cases.length}`);
  assert.deepEqual(failures, []);
});
