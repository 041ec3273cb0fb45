/**
 * The verdicts the dedupe step gives the pipeline, over the in-memory double
 * (the store protocol itself is tested over the wire elsewhere).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordContext } from '../../../lib/runtime/record-pipeline.ts';
import { DedupeCoordinator, DedupeInProgressError } from '../../../lib/runtime/dedupe/dedupe-coordinator.ts';
import { dedupeStep } from '../../../lib/runtime/dedupe/dedupe-step.ts';
import { InMemoryDedupeStore } from '../../../lib/runtime/dedupe/in-memory-dedupe-store.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function record(metadataId: string, remainingMs: number): RecordContext {
  const event = {
    version: '0',
    id: `eb-${metadataId}`,
    'detail-type': 'order.placed',
    source: 'busline.orders',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { metadata: { id: metadataId }, data: { orderId: 'o-1' } },
  };
  return {
    subscription: 'reserve-inventory',
    flow: 'orders',
    delivery: 'queue',
    topic: 'order.placed',
    eventId: metadataId,
    eventBridgeId: event.id,
    event,
    enveloped: true,
    metadata: { id: metadataId },
    data: { orderId: 'o-1' },
    correlationId: metadataId,
    attempt: 1,
    deadline: { remainingMs: () => remainingMs, remainingBeforeGuardMs: () => remainingMs - 1_000, signal: new AbortController().signal },
    logger: silent,
  };
}

test('a record turned away by a live lock is retried just after that lock lapses, not after the short backoff', async () => {
  const store = new InMemoryDedupeStore();
  const containerA = dedupeStep({ subscription: 'reserve-inventory', coordinator: new DedupeCoordinator({ store }) });
  const containerB = dedupeStep({ subscription: 'reserve-inventory', coordinator: new DedupeCoordinator({ store }) });
  assert.equal(await containerA.before!(record('evt-1', 30_000)), undefined, 'A holds the lock for its 30 s deadline');

  const verdict = await containerB.before!(record('evt-1', 30_000));
  if (verdict?.verdict !== 'retry' || !(verdict.error instanceof DedupeInProgressError)) assert.fail(`expected a retry for the live lock, got ${JSON.stringify(verdict)}`);
  const lockLeftSeconds = (verdict.error.lockExpiresAtMs - Date.now()) / 1000;
  const delay = verdict.delaySeconds ?? 0;
  assert.ok(lockLeftSeconds > 20, 'A’s lock runs to its 30 s deadline');
  assert.ok(delay >= lockLeftSeconds && delay <= lockLeftSeconds + 2.5, `delay ${delay} s should end just after A's lock (${lockLeftSeconds} s left)`);
});

test('a record whose handler succeeded is skipped on its next delivery with the first processing time as reason', async () => {
  const step = dedupeStep({ subscription: 'reserve-inventory', coordinator: new DedupeCoordinator({ store: new InMemoryDedupeStore() }) });
  const first = record('evt-2', 30_000);
  await step.before!(first);
  await step.after!(first);
  await step.settle!(first, { kind: 'succeeded' });
  const verdict = await step.before!(record('evt-2', 30_000));
  assert.equal(verdict?.verdict, 'skip');
  assert.match(verdict?.verdict === 'skip' ? verdict.reason : '', /^duplicate event skipped: first processed at .* \(dedupe key reserve-inventory#evt-2, seen by cache\)$/);
});
