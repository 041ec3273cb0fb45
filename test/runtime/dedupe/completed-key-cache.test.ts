import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletedKeyCache } from '../../../lib/runtime/dedupe/completed-key-cache.ts';

const entry = (expiresAtMs: number) => ({ processedAtMs: 0, expiresAtMs });

test('a cached key is returned until its expiry and dropped at it', () => {
  const cache = new CompletedKeyCache(10);
  cache.set('a', entry(1_000));
  assert.deepEqual(cache.get('a', 999), entry(1_000));
  assert.equal(cache.get('a', 1_000), undefined);
  assert.equal(cache.size, 0);
});

test('past maxEntries the least recently used key is evicted', () => {
  const cache = new CompletedKeyCache(2);
  cache.set('a', entry(10));
  cache.set('b', entry(10));
  cache.get('a', 0); // a is now more recent than b
  cache.set('c', entry(10));
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b', 0), undefined);
  assert.ok(cache.get('a', 0));
  assert.ok(cache.get('c', 0));
});

test('maxEntries 0 turns the cache off', () => {
  const cache = new CompletedKeyCache(0);
  cache.set('a', entry(10));
  assert.equal(cache.get('a', 0), undefined);
});

test('a negative or fractional maxEntries is refused with the allowed range', () => {
  assert.throws(() => new CompletedKeyCache(-1), /whole number >= 0/);
  assert.throws(() => new CompletedKeyCache(1.5), /whole number >= 0/);
});
