/**
 * The durable store: group-committed JSON-lines files, and the write-ahead log with snapshots
 * that the engine recovers its queue state from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendFile, readJsonLines } from '../../lib/local/store/append-file.ts';
import { StateStore } from '../../lib/local/store/state-store.ts';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'busline-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function readAll(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  await readJsonLines(path, (r) => out.push(r));
  return out;
}

test('records appended concurrently are all written, in order, by group commit', async (t) => {
  const dir = await tempDir(t);
  const file = await AppendFile.open(join(dir, 'log.jsonl'));
  await Promise.all(Array.from({ length: 500 }, (_, i) => file.append({ i })));
  await file.close();
  assert.deepEqual(await readAll(join(dir, 'log.jsonl')), Array.from({ length: 500 }, (_, i) => ({ i })));
});

test('a last line torn by a crash is ignored when reading and cut off before appending again', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'log.jsonl');
  await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3,"tor');
  assert.deepEqual(await readAll(path), [{ a: 1 }, { a: 2 }]);
  const file = await AppendFile.open(path);
  await file.append({ a: 4 });
  await file.close();
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"a":2}\n{"a":4}\n');
});

test('a bad line in the middle of a file is reported as corruption, not skipped', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'log.jsonl');
  await writeFile(path, '{"a":1}\nnot json\n{"a":3}\n');
  await assert.rejects(readAll(path), /corrupt/);
});

test('recovery replays the snapshot and then the log, and a compaction keeps exactly that state', async (t) => {
  const dir = await tempDir(t);
  const state: number[] = [];
  const apply = (r: unknown) => {
    const { add, remove } = r as { add?: number; remove?: number };
    if (add !== undefined) state.push(add);
    if (remove !== undefined) state.splice(state.indexOf(remove), 1);
  };
  const store = await StateStore.open(dir, { compactAfterBytes: 200 });
  await store.recover(apply);
  await store.begin(() => state.map((n) => ({ add: n })));
  for (let i = 0; i < 100; i++) {
    const record = i % 3 === 2 ? { remove: i - 1 } : { add: i };
    apply(record);
    await store.append(record); // crosses compactAfterBytes many times
  }
  await store.close();
  const expected = [...state];

  const recovered: number[] = [];
  state.length = 0;
  const again = await StateStore.open(dir);
  await again.recover((r) => {
    apply(r);
  });
  recovered.push(...state);
  assert.deepEqual(recovered, expected);
  await again.begin(() => state.map((n) => ({ add: n })));
  await again.close();
  const files = await readdir(dir);
  assert.equal(files.filter((f) => f.startsWith('snapshot-')).length, 1, `one snapshot left: ${files.join(', ')}`);
});

test('a log written after a crash between opening a new log and finishing its snapshot is still replayed', async (t) => {
  const dir = await tempDir(t);
  // snapshot-1 + log-1, then log-2 without snapshot-2: the state after a crash mid-compaction.
  await writeFile(join(dir, 'snapshot-1.jsonl'), '{"add":1}\n');
  await writeFile(join(dir, 'log-1.jsonl'), '{"add":2}\n');
  await appendFile(join(dir, 'log-2.jsonl'), '{"add":3}\n{"add":');
  const seen: unknown[] = [];
  const store = await StateStore.open(dir);
  await store.recover((r) => seen.push(r));
  assert.deepEqual(seen, [{ add: 1 }, { add: 2 }, { add: 3 }]);
});

test('a gathering file writes lazily appended records without a flush, in order', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'journal.jsonl');
  const file = await AppendFile.open(path, { durable: false, gatherMs: 5 });
  for (let i = 0; i < 50; i++) file.appendLazy({ i });
  while ((await readFile(path, 'utf8')).split('\n').length <= 50) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(await readAll(path), Array.from({ length: 50 }, (_, i) => ({ i })));
  await file.close();
});

test('flush() on a gathering file writes what is pending at once, without waiting for the window', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'journal.jsonl');
  // A window far longer than the test: only flush() can have written the records.
  const file = await AppendFile.open(path, { durable: false, gatherMs: 3_600_000 });
  file.appendLazy({ a: 1 });
  file.appendLazy({ a: 2 });
  await file.flush();
  assert.deepEqual(await readAll(path), [{ a: 1 }, { a: 2 }]);
  file.appendLazy({ a: 3 });
  await file.close();
  assert.deepEqual(await readAll(path), [{ a: 1 }, { a: 2 }, { a: 3 }]);
});
