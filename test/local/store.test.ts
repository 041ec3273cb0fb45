/**
 * The durable store: group-committed JSON-lines files, and the write-ahead log with snapshots
 * that the engine recovers its queue state from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppendFile } from '../../lib/local/store/append-file.ts';
import { StateStore } from '../../lib/local/store/state-store.ts';
import { nodeStoreFs, type StoreFs } from '../../lib/local/store/store-fs.ts';
import { readAll, tempDir } from './support/store-files.ts';

test('records appended concurrently are all written, in order, by group commit', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const file = await AppendFile.open(join(dir, 'log.jsonl'));
  await Promise.all(Array.from({ length: 500 }, (_, i) => file.append({ i })));
  await file.close();
  assert.deepEqual(await readAll(join(dir, 'log.jsonl')), Array.from({ length: 500 }, (_, i) => ({ i })));
});

test('a last line torn by a crash is ignored when reading and cut off before appending again', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const path = join(dir, 'log.jsonl');
  await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3,"tor');
  assert.deepEqual(await readAll(path), [{ a: 1 }, { a: 2 }]);
  const file = await AppendFile.open(path);
  await file.append({ a: 4 });
  await file.close();
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"a":2}\n{"a":4}\n');
});

test('a bad line in the middle of a file is reported as corruption, not skipped', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const path = join(dir, 'log.jsonl');
  await writeFile(path, '{"a":1}\nnot json\n{"a":3}\n');
  await assert.rejects(readAll(path), /corrupt/);
});

test('recovery replays the snapshot and then the log, and a compaction keeps exactly that state', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
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
  const dir = await tempDir(t, 'busline-store-');
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
  const dir = await tempDir(t, 'busline-store-');
  const path = join(dir, 'journal.jsonl');
  const file = await AppendFile.open(path, { durable: false, gatherMs: 5 });
  for (let i = 0; i < 50; i++) file.appendLazy({ i });
  while ((await readFile(path, 'utf8')).split('\n').length <= 50) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(await readAll(path), Array.from({ length: 50 }, (_, i) => ({ i })));
  await file.close();
});

test('flush() on a gathering file writes what is pending at once, without waiting for the window', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
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

/**
 * Records, in order, the file-system calls the store makes through its seam (each once it has
 * completed) over Node's real fs: nothing is faked, only the order is written down.
 */
function recordingFs(events: string[]): StoreFs {
  return {
    async open(path, flags) {
      const handle = await nodeStoreFs.open(path, flags);
      events.push(`open ${basename(path)} ${flags}`);
      return new Proxy(handle, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (typeof value !== 'function') return value;
          if (property === 'write' || property === 'sync' || property === 'datasync') {
            return async (...args: unknown[]) => {
              const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              const text = property !== 'write' ? '' : typeof args[0] === 'string' ? args[0] : (args[0] as Buffer).subarray(args[1] as number, (args[1] as number) + (args[2] as number)).toString('utf8');
              events.push(`${String(property)} ${basename(path)}${text ? ` ${text}` : ''}`);
              return result;
            };
          }
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    },
    async syncDir(dir) {
      await nodeStoreFs.syncDir(dir);
      events.push(`syncDir ${basename(dir)}`);
    },
  };
}

/**
 * For every acknowledged record: the file it was written to was created, fsynced and then its
 * directory fsynced, and the write holding the record was fdatasynced — all before the ack.
 */
function assertAcknowledgedAfterDirectorySync(events: readonly string[], dirName: string, acked: readonly number[]): void {
  for (const i of acked) {
    const ack = events.indexOf(`ack ${i}`);
    assert.ok(ack >= 0, `record ${i} was acknowledged`);
    const write = events.findIndex((e) => e.startsWith('write ') && e.split('\n').some((line) => line.endsWith(`{"i":${i}}`) || line === `{"i":${i}}`));
    assert.ok(write >= 0 && write < ack, `record ${i} was written before its ack: ${events.join(' | ')}`);
    const file = events[write]!.split(' ')[1]!;
    const created = events.indexOf(`open ${file} a`);
    const fileSynced = events.indexOf(`sync ${file}`, created);
    const dirSynced = events.indexOf(`syncDir ${dirName}`, fileSynced);
    const dataSynced = events.indexOf(`datasync ${file}`, write);
    assert.ok(created >= 0, `${file} was opened through the store's fs seam`);
    assert.ok(fileSynced > created, `${file} was fsynced after it was created`);
    assert.ok(dirSynced > fileSynced && dirSynced < ack, `the directory of ${file} was fsynced after the file and before record ${i} was acknowledged: ${events.join(' | ')}`);
    assert.ok(dataSynced > write && dataSynced < ack, `record ${i} was fdatasynced before its ack`);
  }
}

test('a new append file is created, fsynced and its directory fsynced before the first record written to it is acknowledged', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const events: string[] = [];
  const file = new AppendFile(join(dir, 'archive.jsonl'), { fs: recordingFs(events) });
  await Promise.all([0, 1, 2].map((i) => file.append({ i }).then(() => events.push(`ack ${i}`))));
  await file.close();
  assertAcknowledgedAfterDirectorySync(events, basename(dir), [0, 1, 2]);
  assert.deepEqual(events.slice(0, 3), ['open archive.jsonl a', 'sync archive.jsonl', `syncDir ${basename(dir)}`]);
});

test('every log a compaction starts has its name fsynced (file, then directory) before a record in it is acknowledged', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const events: string[] = [];
  const state: number[] = [];
  const store = await StateStore.open(join(dir, 'store'), { compactAfterBytes: 64, fs: recordingFs(events) });
  await store.recover(() => undefined);
  await store.begin(() => state.map((i) => ({ i })));
  const acked: number[] = [];
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 5 }, (_, k) => {
      const i = round * 5 + k;
      state.push(i);
      return store.append({ i }).then(() => {
        events.push(`ack ${i}`);
        acked.push(i);
      });
    }));
  }
  await store.close();
  const logs = new Set(events.filter((e) => /^open log-\d+\.jsonl a$/.test(e)));
  // Compactions run in the background, so how many start depends on the machine's load; the
  // scenario needs at least one log a compaction started, beside the first.
  assert.ok(logs.size >= 2, `no compaction started a log: ${[...logs].join(', ')}`);
  assertAcknowledgedAfterDirectorySync(events, 'store', acked);
});

test('flush() right after a compaction switched logs resolves only once the records still pending in the old log are on disk', async (t) => {
  const dir = await tempDir(t, 'busline-store-');
  const storeDir = join(dir, 'store');
  const state: number[] = [];
  const store = await StateStore.open(storeDir);
  await store.recover(() => undefined);
  await store.begin(() => state.map((i) => ({ i })));
  // Logged lazily (as a replay's enqueues are), then a compaction switches to a new log before
  // anyone awaited them (the replay's last enqueue crossed compactAfterBytes): the old log's
  // last batch is still to be written, the new log has nothing yet.
  for (let i = 0; i < 60; i++) {
    store.appendLazy({ i });
    state.push(i);
  }
  const compacting = store.compact();
  await store.flush();
  // What a kill -9 at this instant leaves: a copy of the folder, taken synchronously.
  const crashed = join(dir, 'crashed');
  cpSync(storeDir, crashed, { recursive: true });
  await compacting;
  await store.close();
  const recovered: number[] = [];
  const reopened = await StateStore.open(crashed);
  await reopened.recover((r) => {
    const { i } = r as { i: number };
    if (!recovered.includes(i)) recovered.push(i); // a snapshot and a log may both hold a record
  });
  assert.deepEqual(recovered.sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
});
