/**
 * `busline soak` on a small flow (test/fixtures/soak-flow), run as a user runs it: its report's
 * fields, exit 0 when nothing went wrong, and exit 1 with the right count when the flow really
 * loses, doubles, or dead-letters an event without a reason (each variant of the fixture does
 * one of these for real; nothing in the report is staged).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runBusline } from './support/run-busline.ts';
import { readJournal } from '../../lib/local/journal/journal.ts';
import type { ChaosFaultRecord } from '../../lib/local/index.ts';
import { synthSoakFlow } from '../fixtures/soak-flow/stack.ts';

const EVENTS = 20;

interface Report {
  readonly published: number;
  readonly handled: number;
  readonly lost: number;
  readonly duplicateEffects: number;
  readonly deadLettered: number;
  readonly deadLetteredWithoutReason: number;
  readonly faultsInjected: Record<string, number>;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly elapsedS: number;
  readonly restarts: number;
  readonly settled: boolean;
  readonly checks: Record<string, string>;
  readonly examples: {
    readonly lost: readonly { id: string; why: string }[];
    readonly duplicateEffects: readonly { owner: string; effect: string; commits: number }[];
    readonly deadLetteredWithoutReason: readonly { subscription: string }[];
  };
}

/** State folders failing runs kept (their path is on stderr), removed after the tests. */
const keptStates: string[] = [];
after(() => { for (const dir of keptStates) rmSync(dir, { recursive: true, force: true }); });

async function soak(variant: Parameters<typeof synthSoakFlow>[0], ...extra: string[]): Promise<{ code: number; report: Report; stateDir?: string }> {
  const assembly = synthSoakFlow(variant);
  const run = await runBusline(['soak', '--assembly', assembly, '--events', String(EVENTS), '--seed', '7', '--json', ...extra], {});
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line on stdout, got:\n${run.stdout}\n${run.stderr}`);
  const stateDir = /the state is kept in (\S+)/.exec(run.stderr)?.[1];
  if (stateDir) keptStates.push(stateDir);
  assert.equal(run.code === 0, stateDir === undefined, `a passing run removes its state, a failing one keeps it: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(lines[0]!) as Report, ...(stateDir ? { stateDir } : {}) };
}

test('a clean run with a restart prints every field of the report and exits 0', async () => {
  const { code, report } = await soak('clean', '--restarts', '1');
  assert.equal(code, 0);
  assert.equal(report.published, EVENTS);
  assert.equal(report.handled, EVENTS);
  assert.equal(report.restarts, 1);
  assert.equal(report.settled, true);
  assert.deepEqual([report.lost, report.duplicateEffects, report.deadLettered, report.deadLetteredWithoutReason], [0, 0, 0, 0]);
  assert.deepEqual(report.faultsInjected, {});
  assert.ok(report.p50Ms !== null && report.p99Ms !== null && report.p50Ms <= report.p99Ms, `latencies ${report.p50Ms} / ${report.p99Ms}`);
  assert.ok(report.elapsedS > 0);
  // Each parcel's two declared writes (weigh's Put, tally's Update) committed with their dedupe records.
  assert.match(report.checks.declaredWrites!, new RegExp(`^${2 * EVENTS} TransactWriteItems carrying a dedupe record`));
  for (const key of ['handled', 'lost', 'unattributedWrites', 'directWrites', 'publishedEvents', 'deadLetteredWithoutReason', 'latency']) {
    assert.ok(report.checks[key], `checks.${key}`);
  }
});

test('a handler without dedupe behind a producer that sends each event twice: one duplicate effect per event, exit 1', async () => {
  const { code, report } = await soak('doubled');
  assert.equal(code, 1);
  assert.equal(report.duplicateEffects, EVENTS);
  assert.equal(report.lost, 0);
  assert.match(report.checks.publishedEvents!, new RegExp(`${EVENTS} copies resent with the same metadata.id`));
  const example = report.examples.duplicateEffects[0]!;
  assert.equal(example.owner, 'unattributed');
  assert.match(example.effect, /TalliesTable.* \{"parcelId":\{"S":"[0-9a-f-]{36}"\}\}#[0-9a-f]{16}$/);
  assert.equal(example.commits, 2);
});

const ISSUE_PROFILE = 'duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05,throttle=0.05';

test('under chaos with a restart, a flow with dedupe loses and doubles nothing; the faults are counted by kind', async () => {
  const { code, report } = await soak('clean', '--chaos', ISSUE_PROFILE, '--restarts', '1');
  assert.equal(code, 0, JSON.stringify(report.examples));
  assert.deepEqual([report.handled, report.lost, report.duplicateEffects, report.deadLetteredWithoutReason], [EVENTS, 0, 0, 0]);
  assert.ok((report.faultsInjected.duplicate ?? 0) > 0, JSON.stringify(report.faultsInjected));
  assert.ok(Object.keys(report.faultsInjected).every((k) => ['duplicate', 'crash', 'reorder', 'visibility-expiry', 'throttle'].includes(k)), JSON.stringify(report.faultsInjected));
});

test('a handler without dedupe under duplicate deliveries (chaos) commits its write once more per duplicate it got, exit 1', async () => {
  const { code, report, stateDir } = await soak('undeduped', '--chaos', 'duplicate=0.3');
  assert.equal(code, 1);
  // The state of a failing run is kept: its journal says which deliveries the chaos mode doubled.
  const faults = (await readJournal(stateDir!, { kinds: ['chaos.fault'] })).filter((r): r is ChaosFaultRecord => r.kind === 'chaos.fault');
  // A doubled delivery to tally (on its queue, or by its rule to the queue) runs it twice: one
  // extra commit. weigh's duplicates are skipped by its dedupe.
  const toTally = faults.filter((f) => f.fault === 'duplicate' && /Tally/.test(f.queue ?? f.rule ?? ''));
  assert.ok(toTally.length > 0, 'the chaos mode doubled no delivery to tally');
  assert.equal(report.duplicateEffects, toTally.length);
  assert.ok(report.examples.duplicateEffects.every((d) => d.owner === 'unattributed' && /TalliesTable/.test(d.effect)));
});

test('events still failing when the settle timeout ends are lost, with where they stopped, exit 1', async () => {
  const { code, report } = await soak('lost', '--settle-timeout', '20');
  assert.equal(code, 1);
  assert.equal(report.settled, false);
  assert.equal(report.lost, EVENTS);
  assert.equal(report.handled, 0);
  assert.match(report.examples.lost[0]!.why, /^parcel\.sent at stuck: failed after \d+ attempts? \(last error: .*scale for parcel .* is out of order/);
});

test('dead letters a handler put on its DLQ itself carry no reason: counted, exit 1', async () => {
  const { code, report } = await soak('unreasoned');
  assert.equal(code, 1);
  assert.equal(report.deadLettered, EVENTS);
  assert.equal(report.deadLetteredWithoutReason, EVENTS);
  assert.equal(report.examples.deadLetteredWithoutReason[0]!.subscription, 'park');
  assert.equal(report.lost, 0);
  assert.equal(report.duplicateEffects, 0);
});
