import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DedupeKeyError } from '../../../lib/runtime/dedupe/dedupe-key.ts';
import { dedupeKeyFor } from '../../../lib/runtime/dedupe/dedupe-key-path.ts';

const event = { metadataId: 'evt-1', eventBridgeId: 'eb-1', data: { orderId: 'o-7', order: { id: 42 } } };

test('the default key is the subscription and the producer-assigned metadata.id', () => {
  assert.equal(dedupeKeyFor('reserve-inventory')(event), 'reserve-inventory#evt-1');
});

test('an event without metadata.id falls back to its EventBridge id', () => {
  assert.equal(dedupeKeyFor('audit')({ eventBridgeId: 'eb-9', data: {} }), 'audit#eb-9');
  assert.equal(dedupeKeyFor('audit')({ metadataId: '', eventBridgeId: 'eb-9', data: {} }), 'audit#eb-9');
});

test('a keyPath takes the key from data, following dots into nested objects', () => {
  assert.equal(dedupeKeyFor('reserve', 'orderId')(event), 'reserve#o-7');
  assert.equal(dedupeKeyFor('reserve', 'order.id')(event), 'reserve#42');
});

test('a keyPath missing from the event is a DedupeKeyError naming the path and the fix', () => {
  assert.throws(() => dedupeKeyFor('reserve', 'customer.id')(event), (error: unknown) => {
    assert.ok(error instanceof DedupeKeyError);
    assert.match(error.message, /data\.customer\.id/);
    assert.match(error.message, /missing/);
    assert.match(error.message, /required in the topic's schema/);
    return true;
  });
});

test('a keyPath whose value is an object is refused rather than stringified', () => {
  assert.throws(() => dedupeKeyFor('reserve', 'order')(event), DedupeKeyError);
});

test('a malformed keyPath is refused when the key function is built', () => {
  assert.throws(() => dedupeKeyFor('reserve', 'order..id'), /dot-separated path/);
  assert.throws(() => dedupeKeyFor('reserve', ''), /dot-separated path/);
});

test('a key longer than 1 KB is stored as the subscription and a SHA-256 of the whole key', () => {
  const key = dedupeKeyFor('reserve', 'orderId')({ eventBridgeId: 'eb', data: { orderId: 'x'.repeat(5_000) } });
  assert.match(key, /^reserve#sha256:[0-9a-f]{64}$/);
});
