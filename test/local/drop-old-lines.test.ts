/**
 * dropOldLines: retention for a JSON-lines file kept in time order (the journal, an archive).
 * The old lines go from the start; what is kept is left byte for byte; appends made meanwhile
 * are neither lost nor reordered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendFile } from '../../lib/local/store/append-file.ts';
import { dropOldLines, type OldLines } from '../../lib/local/store/drop-old-lines.ts';
import { readAll, tempDir } from './support/store-files.ts';

type Line = { n: number; kind?: string; key?: string; pad?: string };
const olderThan = (n: number): OldLines => ({ isOld: (record) => (record as Line).n < n });

async function fileWith(t: { after: (fn: () => Promise<void>) => void }, lines: readonly Line[]): Promise<AppendFile> {
  const path = join(await tempDir(t, 'busline-drop-old-lines-'), 'file.jsonl');
  await writeFile(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const file = await AppendFile.open(path, { durable: false });
  t.after(() => file.close());
  return file;
}

const numbered = (count: number): Line[] => Array.from({ length: count }, (_, n) => ({ n }));

test('the lines before the first one that is not old are dropped, and the rest is kept byte for byte', async (t) => {
  const file = await fileWith(t, numbered(10));
  const before = await readFile(file.path, 'utf8');
  const dropped = await dropOldLines(file, olderThan(4));
  const after = await readFile(file.path, 'utf8');
  assert.equal(after, before.split('\n').slice(4).join('\n'));
  assert.deepEqual(dropped, { lines: 4, bytes: before.length - after.length });
});

test('an old line after a kept one stays: the scan stops at the first line that is not old', async (t) => {
  const file = await fileWith(t, [{ n: 0 }, { n: 5 }, { n: 1 }, { n: 6 }]);
  await dropOldLines(file, olderThan(4));
  assert.deepEqual(await readAll(file.path), [{ n: 5 }, { n: 1 }, { n: 6 }]);
});

test('of the dropped lines, the last one of each carried key stays, in front of the rest and in file order', async (t) => {
  const file = await fileWith(t, [
    { n: 0, key: 'a' }, { n: 1, key: 'b' }, { n: 2 }, { n: 3, key: 'a' }, { n: 4 }, { n: 5 }, { n: 6, key: 'b' },
  ]);
  const dropped = await dropOldLines(file, { ...olderThan(5), carryKey: (record) => (record as Line).key });
  assert.deepEqual(await readAll(file.path), [{ n: 1, key: 'b' }, { n: 3, key: 'a' }, { n: 5 }, { n: 6, key: 'b' }]);
  assert.equal(dropped.lines, 3);
});

test('appends made while the file is rewritten are written after the kept lines, none lost or reordered', async (t) => {
  const file = await fileWith(t, numbered(20_000));
  const dropping = dropOldLines(file, olderThan(10_000));
  const appended = Array.from({ length: 500 }, (_, i) => file.append({ n: 20_000 + i }));
  await Promise.all([dropping, ...appended]);
  file.appendLazy({ n: 20_500 });
  await file.flush();
  const records = (await readAll(file.path)) as Line[];
  assert.deepEqual(records.map((r) => r.n), Array.from({ length: 10_501 }, (_, i) => 10_000 + i));
});

test('a file with no old line is not rewritten', async (t) => {
  const file = await fileWith(t, numbered(3));
  const { ino } = await stat(file.path);
  assert.deepEqual(await dropOldLines(file, olderThan(0)), { lines: 0, bytes: 0 });
  assert.equal((await stat(file.path)).ino, ino);
});

test('a file whose old lines are all carried ones is not rewritten', async (t) => {
  const file = await fileWith(t, [{ n: 0, key: 'a' }, { n: 5 }]);
  const { ino } = await stat(file.path);
  assert.deepEqual(await dropOldLines(file, { ...olderThan(4), carryKey: (record) => (record as Line).key }), { lines: 0, bytes: 0 });
  assert.equal((await stat(file.path)).ino, ino);
});

test('a line that is not JSON ends the scan: it and everything after it are kept', async (t) => {
  const path = join(await tempDir(t, 'busline-drop-old-lines-'), 'file.jsonl');
  await writeFile(path, `${JSON.stringify({ n: 0 })}\nnot json\n${JSON.stringify({ n: 1 })}\n`);
  const file = await AppendFile.open(path, { durable: false });
  t.after(() => file.close());
  assert.deepEqual(await dropOldLines(file, olderThan(9)), { lines: 1, bytes: JSON.stringify({ n: 0 }).length + 1 });
  assert.equal(await readFile(path, 'utf8'), `not json\n${JSON.stringify({ n: 1 })}\n`);
});

test('lines appended but still gathering when the rewrite starts are part of the file it rewrites', async (t) => {
  const path = join(await tempDir(t, 'busline-drop-old-lines-'), 'file.jsonl');
  const file = await AppendFile.open(path, { durable: false, gatherMs: 60_000 });
  t.after(() => file.close());
  for (const line of numbered(5)) file.appendLazy(line);
  assert.deepEqual(await dropOldLines(file, olderThan(3)), { lines: 3, bytes: numbered(3).map((l) => JSON.stringify(l).length + 1).reduce((a, b) => a + b) });
  assert.deepEqual(await readAll(path), [{ n: 3 }, { n: 4 }]);
});

test('appends are written while the old lines are scanned and the rest is copied, not held back until the rename', async (t) => {
  const count = 120_000;
  const file = await fileWith(t, Array.from({ length: count }, (_, n) => ({ n, pad: 'x'.repeat(40) })));
  let appended = false;
  let appendedBeforeTheScanEnded = false;
  await dropOldLines(file, {
    isOld: (record) => {
      const { n } = record as Line;
      if (n === 0) void file.append({ n: count }).then(() => { appended = true; });
      if (n === count - 1) appendedBeforeTheScanEnded = appended;
      return n < count - 1;
    },
  });
  assert.equal(appendedBeforeTheScanEnded, true);
  assert.deepEqual(((await readAll(file.path)) as Line[]).map((r) => r.n), [count - 1, count]);
});
