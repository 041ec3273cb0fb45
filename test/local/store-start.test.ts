/**
 * How the store starts after recovery (lib/local/store/state-store.ts begin()): it always logs to
 * a new file, and writes a snapshot only when recovery replayed a lot after the last one, so a
 * start does not rewrite a large state that is already in a snapshot. And how its files are read
 * (readJsonLines): records whole across read chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines } from '../../lib/local/store/append-file.ts';
import { StateStore } from '../../lib/local/store/state-store.ts';
import { tempDir } from './support/store-files.ts';

/** Recovers the store in `dir` (records `{ add: n }`), starts it, appends `more`, closes it; returns the numbers recovered. */
async function startOnce(dir: string, more: readonly number[] = [], compactAfterBytes?: number): Promise<number[]> {
  const state: number[] = [];
  const store = await StateStore.open(dir, compactAfterBytes === undefined ? {} : { compactAfterBytes });
  await store.recover((r) => state.push((r as { add: number }).add));
  const recovered = [...state];
  store.begin(() => state.map((add) => ({ add })));
  for (const add of more) {
    state.push(add);
    await store.append({ add });
  }
  await store.close();
  return recovered;
}

test('a start on a state already in a snapshot writes no snapshot and logs to a new file', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  await writeFile(join(dir, 'snapshot-1.jsonl'), '{"add":1}\n');
  await writeFile(join(dir, 'log-1.jsonl'), '{"add":2}\n');
  await startOnce(dir, [3]);
  assert.deepEqual((await readdir(dir)).sort(), ['log-1.jsonl', 'log-2.jsonl', 'snapshot-1.jsonl']);
  assert.equal(await readFile(join(dir, 'log-2.jsonl'), 'utf8'), '{"add":3}\n');
});

test('what was logged after a start without a snapshot is recovered after the snapshot and the earlier logs', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  await writeFile(join(dir, 'snapshot-1.jsonl'), '{"add":1}\n');
  await writeFile(join(dir, 'log-1.jsonl'), '{"add":2}\n{"add":3,"torn');
  await startOnce(dir, [4]);
  assert.deepEqual(await startOnce(dir), [1, 2, 4]);
});

test('a start after a long log writes a snapshot of the recovered state and drops the files it replaces', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  await writeFile(join(dir, 'snapshot-1.jsonl'), '{"add":1}\n');
  await writeFile(join(dir, 'log-1.jsonl'), Array.from({ length: 20 }, (_, i) => `{"add":${i + 2}}\n`).join(''));
  await startOnce(dir, [], 400); // the log (200 bytes) is past a quarter of 400
  assert.deepEqual((await readdir(dir)).sort(), ['log-2.jsonl', 'snapshot-2.jsonl']);
  assert.deepEqual(await startOnce(dir), Array.from({ length: 21 }, (_, i) => i + 1));
});

test('a start after 16 starts without a snapshot writes one', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  await writeFile(join(dir, 'snapshot-1.jsonl'), '{"add":0}\n');
  for (let n = 1; n <= 16; n++) await writeFile(join(dir, `log-${n}.jsonl`), `{"add":${n}}\n`);
  await startOnce(dir);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('snapshot-')), ['snapshot-17.jsonl']);
});

test('records longer than a read chunk, and records across chunk boundaries, are read whole', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  const path = join(dir, 'big.jsonl');
  const records = Array.from({ length: 40 }, (_, i) => ({ i, text: 'x'.repeat(i % 2 === 0 ? 70_000 : 1_500_000) }));
  await writeFile(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const read: unknown[] = [];
  await readJsonLines(path, (r) => read.push(r));
  assert.deepEqual(read, records);
});

test('records in a file with CRLF line ends are read', async (t) => {
  const dir = await tempDir(t, 'busline-store-start-');
  const path = join(dir, 'crlf.jsonl');
  await writeFile(path, '{"a":1}\r\n{"a":2}\r\n');
  const read: unknown[] = [];
  await readJsonLines(path, (r) => read.push(r));
  assert.deepEqual(read, [{ a: 1 }, { a: 2 }]);
});
