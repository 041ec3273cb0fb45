/**
 * `busline events --where data.<field>=<value>` on the local engine, run in its own process
 * against the operations flow (test/cli/support/ops-flow.ts): only the trees of events whose
 * `data` has that field with that value.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOpsFlowEngine, succeeded, type OpsFlowEngine } from './support/ops-flow-engine.ts';
import { waitFor } from '../local/support/reference-flow.ts';

let engine: OpsFlowEngine;

before(async () => {
  engine = await startOpsFlowEngine('busline-events-where-');
  for (const [id, data] of [['where-ada', { name: 'Ada', times: 1 }], ['where-grace', { name: 'Grace', times: 2 }]] as const) {
    succeeded(await engine.busline('publish', 'greeting.sent', JSON.stringify(data), '--id', id));
  }
  await waitFor('both events accepted', async () => {
    const ids = (await engine.journal()).flatMap((r) => (r.kind === 'event.accepted' && r.metadataId ? [r.metadataId] : []));
    return ids.includes('where-ada') && ids.includes('where-grace') ? true : undefined;
  });
});

after(async () => {
  await engine?.stop();
});

test('events --where shows only the trees of events whose data field has the value', async () => {
  const out = succeeded(await engine.busline('events', '--where', 'data.name=Grace', '--no-logs'));
  assert.match(out, /greeting\.sent {2}id=where-grace/);
  assert.doesNotMatch(out, /id=where-ada/);
});

test('events --where compares a number field by its JSON text', async () => {
  const out = succeeded(await engine.busline('events', '--where', 'data.times=1', '--no-logs'));
  assert.match(out, /greeting\.sent {2}id=where-ada/);
  assert.doesNotMatch(out, /id=where-grace/);
});

test('events --where combined with --correlation shows no tree when that correlation has no event with the value', async () => {
  const out = succeeded(await engine.busline('events', '--where', 'data.name=Grace', '--correlation', 'where-ada', '--no-logs'));
  assert.equal(out.trim(), 'no events match');
});

test('events --where without the data. prefix is refused with the expected form', async () => {
  const run = await engine.busline('events', '--where', 'name=Grace');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--where name=Grace: expected data\.<field>=<value>, e\.g\. data\.userId=u-1/);
});
