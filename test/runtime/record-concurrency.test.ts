import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrapHandler, RuntimeOptionsError } from '../../lib/runtime/index.ts';
import { InMemoryDedupeStore } from '../../lib/runtime/dedupe/index.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const quiet = { output: () => undefined };
const ctx = (ms?: number) => lambdaContext(ms);

function batch(n: number, options: { groupId?: string } = {}): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${i + 1}`, quantity: i + 1 })), options));
}

/** A handler that records how many calls overlap, each finishing after the others started (or a short wait). */
function overlapProbe(): { handler: (data: { orderId: string }) => Promise<void>; maxInFlight: () => number; started: string[] } {
  let inFlight = 0;
  let max = 0;
  const started: string[] = [];
  return {
    started,
    maxInFlight: () => max,
    handler: async (data) => {
      started.push(data.orderId);
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    },
  };
}

test('queue delivery: the records of a batch are processed at once, up to recordConcurrency', async () => {
  const probe = overlapProbe();
  const handler = wrapHandler(probe.handler, { config: subscriptionConfig(), validators, recordConcurrency: 3, ...quiet });
  const response = await handler({ Records: batch(7) }, ctx());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.equal(probe.maxInFlight(), 3);
  // Records start in batch order as lanes free up.
  assert.deepEqual(probe.started, ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-7']);
});

test('queue delivery processes up to 10 records at once by default', async () => {
  const probe = overlapProbe();
  const handler = wrapHandler(probe.handler, { config: subscriptionConfig(), validators, ...quiet });
  await handler({ Records: batch(12) }, ctx());
  assert.equal(probe.maxInFlight(), 10);
});

test('recordConcurrency 1 processes a queue batch one record after another', async () => {
  const probe = overlapProbe();
  const handler = wrapHandler(probe.handler, { config: subscriptionConfig(), validators, recordConcurrency: 1, ...quiet });
  await handler({ Records: batch(4) }, ctx());
  assert.equal(probe.maxInFlight(), 1);
});

test('ordered delivery processes records one after another, in order, whatever recordConcurrency says', async () => {
  const probe = overlapProbe();
  const handler = wrapHandler(probe.handler, { config: subscriptionConfig({ delivery: 'ordered' }), validators, recordConcurrency: 10, ...quiet });
  await handler({ Records: batch(4, { groupId: 'g-1' }) }, ctx());
  assert.equal(probe.maxInFlight(), 1);
  assert.deepEqual(probe.started, ['o-1', 'o-2', 'o-3', 'o-4']);
});

test('records that finish out of order are reported by their own message ids', async () => {
  // o-1 finishes last; o-2 fails first.
  const delays: Record<string, number> = { 'o-1': 30, 'o-2': 1, 'o-3': 10 };
  const handler = wrapHandler<{ orderId: string }>(
    async (data) => {
      await new Promise((resolve) => setTimeout(resolve, delays[data.orderId]));
      if (data.orderId === 'o-2') throw new Error('stock service down');
    },
    { config: subscriptionConfig(), validators, ...quiet },
  );
  const records = batch(3);
  assert.deepEqual(await handler({ Records: records }, ctx()), { batchItemFailures: [{ itemIdentifier: records[1]!.messageId as string }] });
});

test('timeout guard with records in flight: every running handler is aborted and records not yet started are not attempted', async () => {
  const started: string[] = [];
  const aborted: string[] = [];
  const handler = wrapHandler<{ orderId: string }>(
    async (data, hctx) => {
      started.push(data.orderId);
      await new Promise<void>((resolve) => hctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted.push(data.orderId);
    },
    { config: subscriptionConfig(), validators, recordConcurrency: 2, timeoutMarginMs: 1000, ...quiet },
  );
  const records = batch(3);
  // 1.2 s before the deadline and a 1 s margin: the guard fires while o-1 and o-2 run.
  const response = await handler({ Records: records }, ctx(1200));
  assert.deepEqual(started, ['o-1', 'o-2']);
  assert.deepEqual(aborted.sort(), ['o-1', 'o-2']);
  assert.deepEqual(response, { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId as string })) });
});

test('two records of one batch with the same dedupe key run the handler once, even at once', async () => {
  let runs = 0;
  const handler = wrapHandler(
    async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    { config: subscriptionConfig({ dedupe: { ttlSeconds: 60 } }), validators, dedupe: { store: new InMemoryDedupeStore() }, ...quiet },
  );
  const body = JSON.stringify(eventBridgeEvent('order.placed', { orderId: 'o-dup', quantity: 1 }, { id: 'evt-same' }));
  const response = await handler({ Records: [sqsRecord(body), sqsRecord(body)] }, ctx());
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.equal(runs, 1);
});

test('recordConcurrency must be a whole number of at least 1, as option or environment variable', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, recordConcurrency: 0 }),
    (err: unknown) => err instanceof RuntimeOptionsError && /recordConcurrency must be a positive integer, got 0/.test(err.message),
  );
  process.env.BUSLINE_RECORD_CONCURRENCY = '2.5';
  try {
    assert.throws(
      () => wrapHandler(async () => undefined, { config: subscriptionConfig(), validators }),
      (err: unknown) => err instanceof RuntimeOptionsError && /BUSLINE_RECORD_CONCURRENCY must be a whole number ≥ 1, got "2.5"/.test(err.message),
    );
  } finally {
    delete process.env.BUSLINE_RECORD_CONCURRENCY;
  }
});
