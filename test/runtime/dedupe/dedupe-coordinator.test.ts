/**
 * The coordinator's own rules (lease lifecycle, in-container waiting, option
 * checks) over the in-memory store double; the lock protocol itself is tested over
 * the wire in dynamodb-dedupe-store.test.ts and dedupe-failure-modes.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DedupeCoordinator } from '../../../lib/runtime/dedupe/dedupe-coordinator.ts';
import { InMemoryDedupeStore } from '../../../lib/runtime/dedupe/in-memory-dedupe-store.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const opts = { deadlineMs: T0 + 30_000 };

function coordinator(store = new InMemoryDedupeStore()) {
  return new DedupeCoordinator({ store, now: () => T0 });
}

test('a second begin on a key waits until the first lease settles, then sees it COMPLETED', async () => {
  const dedupe = coordinator();
  const first = await dedupe.begin('k', opts);
  assert.equal(first.outcome, 'run');
  let secondResolved = false;
  const second = dedupe.begin('k', opts).then((r) => ((secondResolved = true), r));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(secondResolved, false, 'still waiting for the first record');
  if (first.outcome === 'run') await first.lease.succeed();
  assert.equal((await second).outcome, 'duplicate');
});

test('after a failed lease, the waiting begin on the key takes the lock', async () => {
  const dedupe = coordinator();
  const first = await dedupe.begin('k', opts);
  const second = dedupe.begin('k', opts);
  if (first.outcome === 'run') await first.lease.fail();
  assert.equal((await second).outcome, 'run');
});

test('a lease settles once: succeed after fail (or twice) changes nothing', async () => {
  const store = new InMemoryDedupeStore();
  const dedupe = coordinator(store);
  const begun = await dedupe.begin('k', opts);
  if (begun.outcome !== 'run') assert.fail('expected the lock');
  await begun.lease.fail();
  await begun.lease.succeed();
  assert.equal(begun.lease.settled, true);
  assert.equal(store.size, 0, 'released, not marked COMPLETED');
  assert.equal((await coordinator(store).begin('k', opts)).outcome, 'run');
});

test('keys are independent: a pending lease on one key does not hold back another', async () => {
  const dedupe = coordinator();
  await dedupe.begin('a', opts);
  assert.equal((await dedupe.begin('b', opts)).outcome, 'run');
});

test('a non-finite deadline is refused: the lock needs an expiry', async () => {
  await assert.rejects(coordinator().begin('k', { deadlineMs: Number.POSITIVE_INFINITY }), /deadlineMs must be/);
});

test('a ttlSeconds that is not positive is refused with the default named', () => {
  assert.throws(() => new DedupeCoordinator({ store: new InMemoryDedupeStore(), ttlSeconds: 0 }), /positive number of seconds \(default 86400\)/);
});

test('an abandoned lease keeps its lock in the store until the deadline but stops holding back this container', async () => {
  const store = new InMemoryDedupeStore();
  const dedupe = coordinator(store);
  const first = await dedupe.begin('k', opts);
  if (first.outcome !== 'run') assert.fail('expected the lock');
  first.lease.abandon();
  await assert.rejects(dedupe.begin('k', opts), { name: 'DedupeInProgressError' });
  const afterDeadline = new DedupeCoordinator({ store, now: () => opts.deadlineMs + 1 });
  assert.equal((await afterDeadline.begin('k', { deadlineMs: opts.deadlineMs + 30_000 })).outcome, 'run');
});
