import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBatchResponse } from '../../lib/local/esm/batch-response.ts';

const ids = ['m1', 'm2', 'm3'];

test('a null response, an empty object and an empty or null batchItemFailures are full success', () => {
  for (const response of [null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
    assert.deepEqual(readBatchResponse(response, ids), { kind: 'success' }, JSON.stringify(response));
  }
});

test('listed itemIdentifiers of the batch are the failed messages', () => {
  assert.deepEqual(readBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids), { kind: 'partial', failedMessageIds: ['m2'] });
});

test('an empty or null itemIdentifier makes the response malformed (the whole batch fails)', () => {
  assert.equal(readBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, ids).kind, 'malformed');
  assert.equal(readBatchResponse({ batchItemFailures: [{ itemIdentifier: null }] }, ids).kind, 'malformed');
});

test('a wrong key in an entry makes the response malformed', () => {
  assert.equal(readBatchResponse({ batchItemFailures: [{ itemId: 'm1' }] }, ids).kind, 'malformed');
});

test('an itemIdentifier that is not a message of the batch makes the response malformed', () => {
  assert.equal(readBatchResponse({ batchItemFailures: [{ itemIdentifier: 'other' }] }, ids).kind, 'malformed');
});

test('a response that is not an object (a string) is malformed', () => {
  assert.equal(readBatchResponse('ok', ids).kind, 'malformed');
});
