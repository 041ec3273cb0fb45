/**
 * The buffer an append file encodes its batches into: one buffer, kept from batch to batch and
 * bounded by `writeBufferBytes`, instead of a new string and Buffer the size of every batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AppendFile } from '../../lib/local/store/append-file.ts';
import { nodeStoreFs, type StoreFs } from '../../lib/local/store/store-fs.ts';
import { readAll, tempDir } from './support/store-files.ts';

interface WriteCall {
  readonly kind: 'write';
  readonly buffer: Buffer;
  readonly length: number;
}

/** Node's real fs, with every write (its buffer and length) and datasync written down in order. */
function writeRecordingFs(calls: Array<WriteCall | { readonly kind: 'datasync' }>): StoreFs {
  return {
    ...nodeStoreFs,
    async open(path, flags) {
      const handle = await nodeStoreFs.open(path, flags);
      return new Proxy(handle, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (typeof value !== 'function') return value;
          if (property === 'write') {
            return (buffer: Buffer, offset: number, length: number) => {
              calls.push({ kind: 'write', buffer, length });
              return handle.write(buffer, offset, length);
            };
          }
          if (property === 'datasync') {
            return () => {
              calls.push({ kind: 'datasync' });
              return handle.datasync();
            };
          }
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    },
  };
}

const writesOf = (calls: ReadonlyArray<WriteCall | { kind: 'datasync' }>): WriteCall[] => calls.filter((c): c is WriteCall => c.kind === 'write');

test('a batch larger than the write buffer goes out in several writes of at most its size, then one datasync', async (t) => {
  const dir = await tempDir(t, 'busline-append-');
  const path = join(dir, 'log.jsonl');
  const calls: Array<WriteCall | { kind: 'datasync' }> = [];
  const file = await AppendFile.open(path, { fs: writeRecordingFs(calls), writeBufferBytes: 64 });
  const records = Array.from({ length: 30 }, (_, i) => ({ i }));
  await Promise.all(records.map((r) => file.append(r))); // appended in one turn: one batch
  await file.close();
  const writes = writesOf(calls);
  assert.ok(writes.length > 1, `the batch took ${writes.length} write(s)`);
  assert.ok(writes.every((w) => w.length <= 64), `write lengths ${writes.map((w) => w.length).join(', ')}`);
  assert.deepEqual(calls.map((c) => c.kind), [...writes.map(() => 'write'), 'datasync']);
  assert.deepEqual(await readAll(path), records);
});

test('every batch is encoded into the one buffer the file keeps', async (t) => {
  const dir = await tempDir(t, 'busline-append-');
  const path = join(dir, 'log.jsonl');
  const calls: Array<WriteCall | { kind: 'datasync' }> = [];
  const file = await AppendFile.open(path, { fs: writeRecordingFs(calls) });
  for (let i = 0; i < 10; i++) await file.append({ i }); // ten batches of one record
  await file.close();
  const writes = writesOf(calls);
  assert.equal(writes.length, 10);
  assert.equal(new Set(writes.map((w) => w.buffer)).size, 1, 'one buffer served every batch');
});

test('the write buffer grows to fit the batches written, up to writeBufferBytes and no further', async (t) => {
  const dir = await tempDir(t, 'busline-append-');
  const path = join(dir, 'log.jsonl');
  const calls: Array<WriteCall | { kind: 'datasync' }> = [];
  const cap = 64 * 1024;
  const file = await AppendFile.open(path, { fs: writeRecordingFs(calls), writeBufferBytes: cap });
  const batch = async (count: number, from: number) => {
    await Promise.all(Array.from({ length: count }, (_, k) => file.append({ i: from + k, pad: 'x'.repeat(80) })));
  };
  await batch(400, 0); // ~40 KB: more than the first buffer holds
  const firstBatchWrites = writesOf(calls).length;
  await batch(400, 400); // the same size again: the grown buffer holds it
  const secondBatchWrites = writesOf(calls).length - firstBatchWrites;
  await batch(3000, 800); // ~300 KB: more than the cap
  await file.close();
  const sizes = new Set(writesOf(calls).map((w) => w.buffer.length));
  assert.ok(firstBatchWrites > 1, `the first batch took ${firstBatchWrites} write(s)`);
  assert.equal(secondBatchWrites, 1, 'a batch the grown buffer holds is one write');
  assert.equal(Math.max(...sizes), cap, `buffer sizes seen: ${[...sizes].join(', ')}`);
  assert.equal((await readAll(path)).length, 3800);
});

test('a record longer than the write buffer is written whole, between the records around it', async (t) => {
  const dir = await tempDir(t, 'busline-append-');
  const path = join(dir, 'log.jsonl');
  const calls: Array<WriteCall | { kind: 'datasync' }> = [];
  const file = await AppendFile.open(path, { fs: writeRecordingFs(calls), writeBufferBytes: 64 });
  const records = [{ a: 1 }, { long: 'y'.repeat(500) }, { a: 2 }];
  await Promise.all(records.map((r) => file.append(r)));
  await file.close();
  assert.equal(writesOf(calls).filter((w) => w.length > 64).length, 1, 'the long record went out in one write of its own');
  assert.deepEqual(await readAll(path), records);
});

test('records whose multi-byte characters fall on a buffer boundary are written intact', async (t) => {
  const dir = await tempDir(t, 'busline-append-');
  const path = join(dir, 'log.jsonl');
  const file = await AppendFile.open(path, { writeBufferBytes: 32 });
  // 'é' is 2 bytes in UTF-8 and '🚌' 4 (a surrogate pair): lines of varying length put them across every offset.
  const records = Array.from({ length: 40 }, (_, i) => ({ s: 'é'.repeat(i % 7) + '🚌'.repeat(i % 3) }));
  await Promise.all(records.map((r) => file.append(r)));
  await file.close();
  assert.deepEqual(await readAll(path), records);
});
