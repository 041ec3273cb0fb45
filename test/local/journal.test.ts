/**
 * The journal read from outside the engine: the file (readJournal / followJournal, as the CLI
 * does), the HTTP tool endpoint, and sequence numbers that continue across restarts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { followJournal, readJournal } from '../../lib/local/journal/journal.ts';
import type { JournalQuery, JournalRecord } from '../../lib/local/journal/types.ts';
import { startEngine, sleep, type EngineFixture } from './support/engine-fixture.ts';

function published(correlationId: string) {
  return { Entries: [{ Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ metadata: { id: `m-${correlationId}`, correlationId }, data: {} }) }] };
}

/** Follows the journal while `act` runs, until `count` records came (or 2 s passed); returns them. */
async function follow(f: EngineFixture, query: JournalQuery, count: number, act: () => Promise<unknown>): Promise<JournalRecord[]> {
  const seen: JournalRecord[] = [];
  const stop = new AbortController();
  const following = followJournal(f.stateDir, query, (r) => seen.push(r), stop.signal, 20);
  await act();
  await f.engine.journalQuery({}); // the journal file is written
  for (let i = 0; i < 100 && seen.length < count; i++) await sleep(20);
  stop.abort();
  await following;
  return seen;
}

test('another process can read the journal file by correlation id and topic', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  await f.events.send(new PutEventsCommand(published('file-1')));
  await f.engine.journalQuery({}); // flushes the journal file
  const records = await readJournal(f.stateDir, { correlationId: 'file-1' });
  assert.deepEqual(records.map((r) => r.kind), ['event.accepted']);
  const accepted = records[0]!;
  assert.ok(accepted.kind === 'event.accepted' && accepted.metadataId === 'm-file-1' && accepted.topic === 'OrderPlaced');
  assert.equal((await readJournal(f.stateDir, { topic: 'Nope' })).length, 0);
});

test('followJournal delivers existing records and then new ones as they are written', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  await f.events.send(new PutEventsCommand(published('follow-1')));
  const seen = await follow(f, { kinds: ['event.accepted'] }, 2, () => f.events.send(new PutEventsCommand(published('follow-2'))));
  assert.deepEqual(seen.map((r) => r.correlationId), ['follow-1', 'follow-2']);
});

test('GET /_busline/journal answers a correlation query as a JSON array', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  await f.events.send(new PutEventsCommand(published('http-1')));
  const response = await fetch(`${f.engine.endpoint}/_busline/journal?correlationId=http-1`);
  const records = (await response.json()) as JournalRecord[];
  assert.deepEqual(records.map((r) => r.kind), ['event.accepted']);
});

test('journal sequence numbers keep increasing across a restart', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  await f.events.send(new PutEventsCommand(published('seq-1')));
  const before = (await f.engine.journalQuery({})).at(-1)!.seq;
  f = await f.restart();
  await f.events.send(new PutEventsCommand(published('seq-2')));
  const after = (await f.engine.journalQuery({ correlationId: 'seq-2' }))[0]!.seq;
  assert.ok(after > before, `${after} > ${before}`);
});

const BIG_ORDERS = JSON.stringify({ detail: { data: { total: [{ numeric: ['>', 100] }] } } });
const VIP_ORDERS = JSON.stringify({ detail: { data: { customer: ['vip'] } } });

test('why an event did not match a rule is read as the rule was when the event was routed, not as it was changed later', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  f.engine.putRule({ Name: 'picky', EventPattern: BIG_ORDERS });
  await f.events.send(new PutEventsCommand(published('changed-1')));
  f.engine.putRule({ Name: 'picky', EventPattern: VIP_ORDERS });
  await f.events.send(new PutEventsCommand(published('changed-2')));
  const reasonFor = async (correlationId: string) => {
    const [unmatched] = await f.engine.journalQuery({ correlationId, kinds: ['rule.unmatched'] });
    assert.ok(unmatched?.kind === 'rule.unmatched' && unmatched.rule === 'picky');
    return unmatched.reason;
  };
  assert.match(await reasonFor('changed-1'), /detail\.data\.total/);
  assert.match(await reasonFor('changed-2'), /detail\.data\.customer/);
});

test('another process reading the journal file gets why each event did not match the rules of its bus', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  f.engine.putRule({ Name: 'picky', EventPattern: BIG_ORDERS });
  await f.events.send(new PutEventsCommand(published('file-why')));
  await f.engine.journalQuery({});
  const records = await readJournal(f.stateDir, { correlationId: 'file-why' });
  assert.deepEqual(records.map((r) => r.kind), ['event.accepted', 'rule.unmatched']);
  const unmatched = records[1]!;
  assert.ok(unmatched.kind === 'rule.unmatched' && /total/.test(unmatched.reason));
  assert.equal(unmatched.seq, records[0]!.seq);
});

test('followJournal delivers, after each event, why it did not match the rules of its bus', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  f.engine.putRule({ Name: 'picky', EventPattern: BIG_ORDERS });
  const seen = await follow(f, { kinds: ['rule.unmatched'] }, 1, () => f.events.send(new PutEventsCommand(published('follow-why'))));
  assert.deepEqual(seen.map((r) => r.kind === 'rule.unmatched' && [r.correlationId, r.rule]), [['follow-why', 'picky']]);
});
