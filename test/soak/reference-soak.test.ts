/**
 * The CI soak (issue 17): 1,000 orders through the reference flow (order.placed → reserve-inventory
 * → schedule-shipment → notify-customer, and customer-history) under the chaos profile,
 * with one engine restart while they flow, seed 7. Every order reaches its effects or a DLQ with
 * its reason, and no effect is committed twice. The report is printed, so a failure shows its
 * seed and examples (rerun the same command to reproduce it: docs/chaos.md, "busline soak").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBusline } from '../cli/support/run-busline.ts';

const PROFILE = 'duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05,throttle=0.05';
const COMMAND = ['soak', '--events', '1000', '--chaos', PROFILE, '--restarts', '1', '--seed', '7', '--json'];

test('1,000 orders under chaos with a restart: none lost, no effect doubled, every dead letter with its reason', async () => {
  const run = await runBusline(COMMAND, {});
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  console.log(`busline ${COMMAND.join(' ')}\n${line}`);
  const report = JSON.parse(line) as {
    published: number; handled: number; lost: number; duplicateEffects: number; deadLetteredWithoutReason: number;
    faultsInjected: Record<string, number>; restarts: number;
  };
  assert.equal(report.published, 1000);
  assert.equal(report.restarts, 1);
  assert.equal(report.lost, 0, line);
  assert.equal(report.duplicateEffects, 0, line);
  assert.equal(report.deadLetteredWithoutReason, 0, line);
  // The faults did happen (each kind of the profile that has a chance in 1,000 orders).
  for (const kind of ['duplicate', 'crash', 'reorder', 'visibility-expiry', 'throttle']) assert.ok((report.faultsInjected[kind] ?? 0) > 0, `no ${kind} fault was injected: ${line}`);
  assert.equal(run.code, 0, run.stderr);
});
