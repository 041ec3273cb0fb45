import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSynchronousLevelDbReads } from '../../lib/local/dynamodb/leveldb-sync-reads.ts';

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
  put(key: string, value: unknown): Promise<void>;
  get(key: string): Promise<unknown>;
}
const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { Level } = requireDynalite('level') as { Level: new (path: string, options: { valueEncoding: string }) => LevelDb };

test('with synchronous reads, dynalite\'s LevelDB still answers a written value, an overwrite and a missing key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'busline-level-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  useSynchronousLevelDbReads();
  useSynchronousLevelDbReads(); // idempotent
  const db = new Level(join(dir, 'db'), { valueEncoding: 'json' });
  await db.open();
  t.after(() => db.close());
  await db.put('item-a', { S: 'one' });
  assert.deepEqual(await db.get('item-a'), { S: 'one' });
  await db.put('item-a', { S: 'two' });
  assert.deepEqual(await db.get('item-a'), { S: 'two' });
  assert.equal(await db.get('item-missing'), undefined);
});
