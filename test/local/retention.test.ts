/**
 * Retention of the state folder's histories (lib/local/retention.ts): the journal keeps
 * journalRetentionDays of records, and a bus's archive its events as long as the archives declared
 * on it say. AWS, CreateArchive / AWS::Events::Archive RetentionDays: "The number of days to retain
 * events for. Default value is 0. If set to 0, events are retained indefinitely"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-archive.html).
 * The engine keeps one archive file per bus, so the longest retention of a bus's archives decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine, type LocalEngineOptions } from '../../lib/local/engine.ts';
import { systemClock, type Clock } from '../../lib/local/clock.ts';
import { followJournal, readJournal } from '../../lib/local/journal/journal.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { archiveRetentionDays } from '../../lib/local/retention.ts';
import { sleep } from './support/engine-fixture.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Wall time moved forward by `advanceDays(days)`: the engine's clock, with its timers on wall time. */
function advancingClock(): Clock & { advanceDays(days: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    after: systemClock.after,
    advanceDays: (days) => {
      offset += days * DAY_MS;
    },
  };
}

/** An engine on an advancing clock with the bus `shop`, stopped and its state folder removed after the test. */
async function engineWith(t: { after: (fn: () => Promise<void>) => void }, options: Partial<LocalEngineOptions> = {}): Promise<{ engine: LocalEngine; clock: ReturnType<typeof advancingClock> }> {
  const clock = advancingClock();
  const stateDir = options.stateDir ?? await mkdtemp(join(tmpdir(), 'busline-retention-'));
  const engine = await LocalEngine.start({ stateDir, port: 0, withoutDynamoDb: true, clock, ...options });
  t.after(async () => {
    await engine.stop();
    await rm(stateDir, { recursive: true, force: true });
  });
  engine.createBus('shop');
  return { engine, clock };
}

async function publish(engine: LocalEngine, order: string, bus = 'shop'): Promise<void> {
  const result = await engine.putEvents([{ EventBusName: bus, Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ data: { order } }) }]);
  assert.equal(result.FailedEntryCount, 0);
}

const ordersIn = (records: readonly JournalRecord[]): string[] =>
  records.flatMap((r) => (r.kind === 'event.accepted' ? [(r.event as { detail: { data: { order: string } } }).detail.data.order] : []));

/** The orders a replay of every archived event of the bus re-sends. */
async function archivedOrders(engine: LocalEngine, bus = 'shop'): Promise<number> {
  return (await engine.replay({ busName: bus, from: new Date(0), to: new Date(Date.parse('2100-01-01')) })).eventCount;
}

test('the journal drops the records older than journalRetentionDays and keeps the newer ones', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 7 });
  await publish(engine, 'old');
  clock.advanceDays(3);
  await publish(engine, 'recent');
  clock.advanceDays(5);
  const report = await engine.applyRetention();
  assert.deepEqual(ordersIn(await engine.journalQuery({ kinds: ['event.accepted'] })), ['recent']);
  assert.ok(report.journal.lines > 0 && report.journal.bytes > 0, JSON.stringify(report));
});

test('an event kept is still explained against its bus rules when their record was older than the retention', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 7 });
  engine.putRule({ Name: 'big', EventBusName: 'shop', EventPattern: JSON.stringify({ detail: { data: { total: [{ numeric: ['>', 100] }] } } }) });
  await publish(engine, 'old'); // routing journals the bus's rules before this first event
  clock.advanceDays(8);
  await publish(engine, 'recent');
  await engine.applyRetention();
  const unmatched = await engine.journalQuery({ kinds: ['rule.unmatched'] });
  assert.deepEqual(unmatched.map((r) => r.kind === 'rule.unmatched' && r.rule), ['big']);
  assert.deepEqual(ordersIn(await engine.journalQuery({ kinds: ['event.accepted'] })), ['recent']);
});

test('the journal\'s sequence numbers go on after retention and a restart', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 1 });
  await publish(engine, 'a');
  clock.advanceDays(2);
  await publish(engine, 'b');
  const before = await engine.journalQuery({});
  await engine.applyRetention();
  const stateDir = engine.stateDir;
  await engine.stop();
  const { engine: again } = await engineWith(t, { stateDir, clock, journalRetentionDays: 1 });
  await publish(again, 'c');
  const after = await again.journalQuery({});
  assert.ok(after.at(-1)!.seq > before.at(-1)!.seq, `${after.at(-1)!.seq} after ${before.at(-1)!.seq}`);
});

test('journalRetentionDays 0 keeps every record', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 0 });
  await publish(engine, 'old');
  clock.advanceDays(3650);
  assert.equal((await engine.applyRetention()).journal.lines, 0);
  assert.deepEqual(ordersIn(await engine.journalQuery({ kinds: ['event.accepted'] })), ['old']);
});

test('a journalRetentionDays that is not a whole number of days fails the start, saying what it takes', async (t) => {
  await assert.rejects(engineWith(t, { journalRetentionDays: 1.5 }), /journalRetentionDays must be a whole number of days \(0 keeps everything\), got 1\.5/);
});

test('a bus\'s archive drops events older than the longest RetentionDays of the archives declared on it', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 1 });
  engine.createArchive({ ArchiveName: 'short', EventSourceArn: 'shop', RetentionDays: 2 });
  engine.createArchive({ ArchiveName: 'long', EventSourceArn: 'shop', RetentionDays: 5 });
  await publish(engine, 'six-days-old');
  clock.advanceDays(4);
  await publish(engine, 'two-days-old');
  clock.advanceDays(2);
  const report = await engine.applyRetention();
  assert.equal(report.archive['shop']?.lines, 1);
  assert.equal(await archivedOrders(engine), 1);
});

test('an archive with RetentionDays 0 keeps its bus\'s events indefinitely', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 1 });
  engine.createArchive({ ArchiveName: 'forever', EventSourceArn: 'shop', RetentionDays: 0 });
  engine.createArchive({ ArchiveName: 'week', EventSourceArn: 'shop', RetentionDays: 7 });
  await publish(engine, 'old');
  clock.advanceDays(400);
  assert.deepEqual((await engine.applyRetention()).archive, {});
  assert.equal(await archivedOrders(engine), 1);
});

test('each bus\'s archive follows the archives declared on that bus', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 1 });
  engine.createBus('audit');
  engine.createArchive({ ArchiveName: 'shop-forever', EventSourceArn: 'shop', RetentionDays: 0 });
  engine.createArchive({ ArchiveName: 'audit-forever', EventSourceArn: 'audit', RetentionDays: 0 });
  await publish(engine, 'audit-order', 'audit');
  await publish(engine, 'shop-order', 'shop');
  clock.advanceDays(30);
  assert.deepEqual((await engine.applyRetention()).archive, {});
  assert.deepEqual([await archivedOrders(engine, 'shop'), await archivedOrders(engine, 'audit')], [1, 1]);
});

test('a bus with no archive declared keeps its archived events as long as the journal keeps its records', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 3 });
  await publish(engine, 'old');
  clock.advanceDays(2);
  await publish(engine, 'recent');
  clock.advanceDays(2);
  await engine.applyRetention();
  assert.equal(await archivedOrders(engine), 1);
});

test('a follower of the journal file passes on each record once across a retention rewrite, and the ones after it', async (t) => {
  const { engine, clock } = await engineWith(t, { journalRetentionDays: 7 });
  const seen: JournalRecord[] = [];
  const stop = new AbortController();
  const following = followJournal(engine.stateDir, {}, (r) => seen.push(r), stop.signal, 10);
  await publish(engine, 'old');
  clock.advanceDays(4);
  await publish(engine, 'kept');
  await engine.journalQuery({}); // written
  const waitFor = async (order: string) => {
    for (let i = 0; i < 200 && !ordersIn(seen).includes(order); i++) await sleep(10);
  };
  await waitFor('kept');
  clock.advanceDays(4);
  await engine.applyRetention();
  await sleep(50); // the follower sees the rewritten file
  await publish(engine, 'new');
  await engine.journalQuery({});
  await waitFor('new');
  stop.abort();
  await following;
  assert.deepEqual(ordersIn(seen), ['old', 'kept', 'new']);
  assert.deepEqual(ordersIn(await readJournal(engine.stateDir)), ['kept', 'new']);
  const seqs = seen.map((r) => `${r.seq} ${r.kind}`);
  assert.equal(new Set(seqs).size, seqs.length, `a record passed on twice: ${seqs.join(', ')}`);
});

test('archiveRetentionDays: a bus whose archives all keep events for a while keeps them for the longest', () => {
  const archives = [
    { ArchiveName: 'a', EventSourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/shop', RetentionDays: 3 },
    { ArchiveName: 'b', EventSourceArn: 'shop', RetentionDays: 9 },
    { ArchiveName: 'c', EventSourceArn: 'audit' },
  ];
  assert.equal(archiveRetentionDays('shop', archives, 7), 9);
  assert.equal(archiveRetentionDays('audit', archives, 7), undefined);
  assert.equal(archiveRetentionDays('other', archives, 7), 7);
  assert.equal(archiveRetentionDays('other', archives, 0), undefined);
});
