/** The in-memory double answers like the DynamoDB store, so pipeline tests and benchmarks on it mean something. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryDedupeStore } from '../../../lib/runtime/dedupe/in-memory-dedupe-store.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const MINUTE = 60_000;

test('the double reports a live lock as in-progress and lets an expired one be taken over', async () => {
  const store = new InMemoryDedupeStore();
  assert.equal((await store.acquire('k', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE })).outcome, 'acquired');
  assert.deepEqual(await store.acquire('k', { nowMs: T0 + MINUTE, lockExpiresAtMs: T0 + 2 * MINUTE }), { outcome: 'in-progress', lockExpiresAtMs: T0 + MINUTE });
  assert.equal((await store.acquire('k', { nowMs: T0 + MINUTE + 1, lockExpiresAtMs: T0 + 2 * MINUTE })).outcome, 'acquired');
});

test('the double reports COMPLETED until its expiry, then lets the key run again', async () => {
  const store = new InMemoryDedupeStore();
  const lock = await store.acquire('k', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  if (lock.outcome !== 'acquired') assert.fail('expected the lock');
  assert.equal(await store.complete('k', lock.token, { nowMs: T0 + 5, expiresAtMs: T0 + 10 * MINUTE }), true);
  assert.deepEqual(await store.acquire('k', { nowMs: T0 + 9 * MINUTE, lockExpiresAtMs: T0 + 11 * MINUTE }), {
    outcome: 'completed',
    processedAtMs: T0 + 5,
    expiresAtMs: T0 + 10 * MINUTE,
  });
  assert.equal((await store.acquire('k', { nowMs: T0 + 10 * MINUTE, lockExpiresAtMs: T0 + 11 * MINUTE })).outcome, 'acquired');
});

test('the double ignores complete and release with a token that is not the holder’s', async () => {
  const store = new InMemoryDedupeStore();
  const stale = await store.acquire('k', { nowMs: T0, lockExpiresAtMs: T0 + MINUTE });
  const fresh = await store.acquire('k', { nowMs: T0 + 2 * MINUTE, lockExpiresAtMs: T0 + 3 * MINUTE });
  if (stale.outcome !== 'acquired' || fresh.outcome !== 'acquired') assert.fail('expected both locks in turn');
  await store.release('k', stale.token);
  assert.equal(await store.complete('k', stale.token, { nowMs: T0, expiresAtMs: T0 + MINUTE }), false);
  assert.equal((await store.acquire('k', { nowMs: T0 + 2 * MINUTE, lockExpiresAtMs: T0 + 3 * MINUTE })).outcome, 'in-progress');
  await store.release('k', fresh.token);
  assert.equal(store.size, 0);
});
