/**
 * kill -9 right after an answer: the engine runs in a child process
 * (test/local/support/answer-then-die-child.ts) that performs one call, writes down the answer and
 * SIGKILLs itself in the same turn of the event loop. A restart on the same state folder must
 * hold at least what the answer said: receive counts and dead-letter moves (ReceiveMessage),
 * replayed events across compactions (replay), and a journal follower must go on from a torn
 * journal tail without skipping or repeating a record. The order of fsyncs (directory fsync
 * before an acknowledgement) is not visible to a kill -9: test/local/store.test.ts checks it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { followJournal, readJournal } from '../../lib/local/journal/journal.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import type { AnswerThenDieConfig, ChildAction } from './support/answer-then-die-child.ts';
import { spawnEngine, type EngineProcess } from './support/spawn-engine.ts';
import { TEST_CREDENTIALS } from './support/engine-fixture.ts';

const CHILD = fileURLToPath(new URL('./support/answer-then-die-child.ts', import.meta.url));

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'busline-answer-kill-'));
  dirs.push(dir);
  return dir;
}

/** Start the engine, perform `action`, and return its answer; the child has died by SIGKILL. */
async function answerThenDie<T>(config: Omit<AnswerThenDieConfig, 'action' | 'answerPath'>, action: ChildAction): Promise<T> {
  const answerPath = join(config.stateDir, `answer-${++answers}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ ...config, answerPath, action })], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', `the child killed itself after answering (stderr: ${stderr})`);
  return JSON.parse(await readFile(answerPath, 'utf8')) as T;
}
let answers = 0;

type Peeked = Record<string, Array<{ id: string; body: string; receiveCount: number }>>;

test('kill -9 right after ReceiveMessage answered: after restart the receive count is at least what the consumer was told, and a dead-letter move it saw stays done', { timeout: 180_000 }, async () => {
  const dir = await stateDir();
  const config = {
    stateDir: dir,
    queues: [
      { name: 'work-dlq' },
      { name: 'work', attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: 3 }) } },
    ],
  };
  const { ids } = await answerThenDie<{ ids: string[] }>(config, { kind: 'send', queue: 'work', bodies: ['only'] });
  const [id] = ids;

  // Each round: a fresh engine on the same folder receives the message (released at start, as
  // its consumer died) and dies the instant the receive answered.
  const told: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const { messages } = await answerThenDie<{ messages: Array<{ id: string; receiveCount: number }> }>(config, { kind: 'receive', queue: 'work', max: 1 });
    assert.deepEqual(messages.map((m) => m.id), [id], `round ${round}: the message was received`);
    told.push(messages[0]!.receiveCount);
  }
  // A receive count is never told twice: each restart kept the count the previous answer gave.
  assert.deepEqual(told, [1, 2, 3]);

  // The fourth receive moves it to the DLQ (maxReceiveCount 3) and answers with nothing.
  const fourth = await answerThenDie<{ messages: unknown[] }>(config, { kind: 'receive', queue: 'work', max: 1 });
  assert.deepEqual(fourth.messages, []);
  const peeked = await answerThenDie<Peeked>(config, { kind: 'peek', queues: ['work', 'work-dlq'] });
  assert.deepEqual(peeked['work'], [], 'the source queue no longer holds the moved message');
  assert.deepEqual(peeked['work-dlq']!.map((m) => [m.id, m.receiveCount]), [[id, 3]], 'the DLQ holds it, with its receive count');
});

// A replay whose enqueues straddle a compaction used to be answered once the new log was
// flushed, while the old log's last batch could still be unwritten or unsynced
// (test/local/store.test.ts shows that deterministically). By the time a replay answers the
// old log's write has in practice reached the page cache, which a kill -9 does not lose, so
// this test guards the whole path (replay, compactions, restart) rather than showing the gap.
test('kill -9 right after replay() answered, with compactions during the replay: every replayed event is on its queue after restart', { timeout: 300_000 }, async () => {
  const dir = await stateDir();
  const EVENTS = 400;
  const config = {
    stateDir: dir,
    // Small enough that a replay crosses it many times: logs switch while enqueues are pending.
    compactLogAfterBytes: 16 * 1024,
    buses: ['things'],
    queues: [{ name: 'sink' }],
    rules: [{ bus: 'things', name: 'all', pattern: '{"source":["test.replay"]}', queue: 'sink' }],
  };
  const { accepted } = await answerThenDie<{ accepted: number }>(config, { kind: 'publish', bus: 'things', count: EVENTS });
  assert.equal(accepted, EVENTS);
  const ROUNDS = 4;
  for (let round = 1; round <= ROUNDS; round++) {
    const { eventCount } = await answerThenDie<{ eventCount: number }>(config, { kind: 'replay', bus: 'things', replayName: `r${round}` });
    assert.equal(eventCount, EVENTS);
  }
  const peeked = await answerThenDie<Peeked>(config, { kind: 'peek', queues: ['sink'] });
  const perReplay = new Map<string, number>();
  for (const m of peeked['sink']!) {
    const name = (JSON.parse(m.body) as { 'replay-name'?: string })['replay-name'] ?? 'original';
    perReplay.set(name, (perReplay.get(name) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(perReplay), { original: EVENTS, ...Object.fromEntries(Array.from({ length: ROUNDS }, (_, i) => [`r${i + 1}`, EVENTS])) });
});

test('a journal follower goes on after a kill -9 that tore the journal\'s last line: the next records are neither skipped nor repeated', { timeout: 120_000 }, async () => {
  const dir = await stateDir();
  const config = {
    stateDir: dir,
    buses: ['things'],
    queues: [{ name: 'sink' }],
    rules: [{ bus: 'things', name: 'all', pattern: '{"source":["test.replay"]}', queue: 'sink' }],
  };
  const seen: JournalRecord[] = [];
  const stop = new AbortController();
  const following = followJournal(dir, {}, (record) => seen.push(record), stop.signal, 10);
  const publish = async (endpoint: string, ids: readonly string[]): Promise<number> => {
    const events = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      const result = await events.send(new PutEventsCommand({
        Entries: ids.map((id) => ({ EventBusName: 'things', Source: 'test.replay', DetailType: 'Thing', Detail: JSON.stringify({ metadata: { id }, data: {} }) })),
      }));
      return result.Entries!.filter((e) => e.EventId).length;
    } finally {
      events.destroy();
    }
  };
  const engines: EngineProcess[] = [];
  try {
    const first = await spawnEngine({ ...config, withoutDynamoDb: true });
    engines.push(first);
    assert.equal(await publish(first.endpoint, Array.from({ length: 10 }, (_, i) => `before-${i}`)), 10);
    // The journal is written in batches without fsync: wait until the follower has its records
    // (they are in the file), then kill -9.
    for (let i = 0; i < 2000 && seen.filter((r) => r.kind === 'event.accepted').length < 10; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.filter((r) => r.kind === 'event.accepted').length, 10, 'the follower read the records written before the kill');
    await first.kill();
    const journalPath = join(dir, 'journal', 'journal.jsonl');
    const before = await readJournal(dir);
    const lastSeq = before.at(-1)!.seq;
    // The kill tore the line being written: one more complete record, then half of the next
    // one, in one write (what a kill in the middle of a batch leaves; a real kill lands there
    // too rarely to wait for).
    const next = JSON.stringify({ ...before.at(-1)!, seq: lastSeq + 1 });
    const torn = JSON.stringify({ ...before.at(-1)!, seq: lastSeq + 2 });
    await appendFile(journalPath, `${next}\n${torn.slice(0, Math.floor(torn.length / 2))}`);
    // The follower has read past the torn bytes once it delivered the record before them.
    for (let i = 0; i < 2000 && !seen.some((r) => r.seq === lastSeq + 1); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(seen.some((r) => r.seq === lastSeq + 1), 'the follower read up to the torn line');

    // Restart: the engine cuts the torn line off and writes from there.
    const engine = await spawnEngine({ ...config, withoutDynamoDb: true });
    engines.push(engine);
    const accepted = await publish(engine.endpoint, Array.from({ length: 5 }, (_, i) => `after-${i}`));
    assert.equal(accepted, 5);
    await engine.stop(); // a clean stop writes the journal out
    const written = await readJournal(dir);
    const lastWritten = written.at(-1)!.seq;
    for (let i = 0; i < 2000 && !seen.some((r) => r.seq === lastWritten); i++) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    await following;
    // The follower saw exactly the file's records, in order: the torn one never, each other once.
    assert.deepEqual(seen.map((r) => r.seq), written.map((r) => r.seq));
    assert.ok(seen.some((r) => r.seq === lastSeq + 2), 'the first record written after the restart (the torn one\'s seq) was delivered');
    assert.equal((await readFile(journalPath, 'utf8')).endsWith('\n'), true);
  } finally {
    stop.abort();
    await following;
    for (const engine of engines) await engine.stop(); // a no-op for one that has exited
  }
});
