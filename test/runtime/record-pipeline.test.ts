/** The per-record step contract that dedupe (and any other record step) relies on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonRetryableError } from '../../lib/runtime/errors.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { rejectRecord, retryRecord, runRecordPipeline, skipRecord, type RecordContext, type RecordStep } from '../../lib/runtime/record-pipeline.ts';

function record(): RecordContext {
  return {
    subscription: 'reserve-inventory',
    flow: 'orders',
    delivery: 'queue',
    topic: 'order.placed',
    eventId: 'evt-1',
    eventBridgeId: 'eb-1',
    event: { version: '0', id: 'eb-1', 'detail-type': 'order.placed', source: 's', account: '1', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: {} },
    enveloped: true,
    metadata: { id: 'evt-1' },
    data: { orderId: 'o-1' },
    correlationId: 'evt-1',
    attempt: 1,
    messageId: 'm-1',
    deadline: { remainingMs: () => 10_000, remainingBeforeGuardMs: () => 9_000, signal: new AbortController().signal },
    logger: createLogger('silent', () => undefined),
  };
}

/** A step that records every hook call into `calls`. */
function tracer(name: string, calls: string[], before?: RecordStep['before'], after?: RecordStep['after']): RecordStep {
  return {
    name,
    before: (r) => {
      calls.push(`${name}.before`);
      return before?.(r);
    },
    after: (r) => {
      calls.push(`${name}.after`);
      return after?.(r);
    },
    onError: (_r, f) => void calls.push(`${name}.onError(${f.stage},${f.retryable ? 'retry' : 'dlq'})`),
    settle: (_r, o) => void calls.push(`${name}.settle(${o.kind})`),
  };
}

const ok = (calls: string[]) => async () => void calls.push('handler');
const fails = (calls: string[], error: Error) => async () => {
  calls.push('handler');
  throw error;
};

test('befores run in order, the handler, then afters in reverse order, then every settle with the outcome', async () => {
  const calls: string[] = [];
  const outcome = await runRecordPipeline(record(), [tracer('a', calls), tracer('b', calls)], ok(calls), {});
  assert.deepEqual(outcome, { kind: 'succeeded' });
  assert.deepEqual(calls, ['a.before', 'b.before', 'handler', 'b.after', 'a.after', 'a.settle(succeeded)', 'b.settle(succeeded)']);
});

test('skipRecord succeeds the record as a duplicate without running later steps or the handler', async () => {
  const calls: string[] = [];
  const outcome = await runRecordPipeline(record(), [tracer('a', calls), tracer('dedupe', calls, () => skipRecord('already completed')), tracer('c', calls)], ok(calls), {});
  assert.deepEqual(outcome, { kind: 'duplicate', reason: 'already completed' });
  assert.deepEqual(calls, ['a.before', 'dedupe.before', 'a.settle(duplicate)', 'dedupe.settle(duplicate)', 'c.settle(duplicate)']);
});

test('retryRecord fails the record for a retry with the given delay, and earlier steps get onError', async () => {
  const calls: string[] = [];
  const lock = new Error('in progress elsewhere');
  const outcome = await runRecordPipeline(record(), [tracer('a', calls), tracer('dedupe', calls, () => retryRecord(lock, 30))], ok(calls), {});
  assert.deepEqual(outcome, { kind: 'retry', error: lock, delaySeconds: 30 });
  assert.deepEqual(calls, ['a.before', 'dedupe.before', 'a.onError(step,retry)', 'a.settle(retry)', 'dedupe.settle(retry)']);
});

test('rejectRecord sends the record to the DLQ', async () => {
  const error = new Error('poison');
  const outcome = await runRecordPipeline(record(), [{ name: 'x', before: () => rejectRecord(error) }], ok([]), {});
  assert.deepEqual(outcome, { kind: 'dead-letter', error, reason: 'non-retryable' });
});

test('a step that throws from before fails the record for a retry; a NonRetryableError sends it to the DLQ', async () => {
  const store = new Error('dedupe store unavailable');
  assert.deepEqual(await runRecordPipeline(record(), [{ name: 'x', before: () => Promise.reject(store) }], ok([]), {}), { kind: 'retry', error: store });
  const never = new NonRetryableError('never');
  assert.deepEqual(await runRecordPipeline(record(), [{ name: 'x', before: () => Promise.reject(never) }], ok([]), {}), { kind: 'dead-letter', error: never, reason: 'non-retryable' });
});

test('a handler failure runs onError in reverse order with stage handler, and records the handler duration', async () => {
  const calls: string[] = [];
  const timings: { handlerMs?: number } = {};
  const error = new Error('boom');
  const outcome = await runRecordPipeline(record(), [tracer('a', calls), tracer('b', calls)], fails(calls, error), timings);
  assert.deepEqual(outcome, { kind: 'retry', error });
  assert.deepEqual(calls, ['a.before', 'b.before', 'handler', 'b.onError(handler,retry)', 'a.onError(handler,retry)', 'a.settle(retry)', 'b.settle(retry)']);
  assert.equal(typeof timings.handlerMs, 'number');
});

test('a NonRetryableError from the handler dead-letters the record and onError says so', async () => {
  const calls: string[] = [];
  const outcome = await runRecordPipeline(record(), [tracer('dedupe', calls)], fails(calls, new NonRetryableError('cancelled')), {});
  assert.equal(outcome.kind, 'dead-letter');
  assert.deepEqual(calls, ['dedupe.before', 'handler', 'dedupe.onError(handler,dlq)', 'dedupe.settle(dead-letter)']);
});

test('an after hook that throws fails the record for a retry; steps whose after already ran get no onError', async () => {
  const calls: string[] = [];
  const error = new Error('could not mark completed');
  const outcome = await runRecordPipeline(
    record(),
    [tracer('outer', calls), tracer('middle', calls, undefined, () => Promise.reject(error)), tracer('inner', calls)],
    ok(calls),
    {},
  );
  assert.deepEqual(outcome, { kind: 'retry', error });
  assert.deepEqual(calls, [
    'outer.before', 'middle.before', 'inner.before', 'handler',
    'inner.after', 'middle.after',
    'outer.onError(after,retry)',
    'outer.settle(retry)', 'middle.settle(retry)', 'inner.settle(retry)',
  ]);
});

test('errors thrown by onError and settle hooks are contained: the outcome stands', async () => {
  const error = new Error('boom');
  const outcome = await runRecordPipeline(
    record(),
    [{ name: 'noisy', before: () => undefined, onError: () => { throw new Error('x'); }, settle: () => { throw new Error('y'); } }],
    fails([], error),
    {},
  );
  assert.deepEqual(outcome, { kind: 'retry', error });
});

test('steps see the dedupe inputs and the deadline', async () => {
  let seen: unknown;
  await runRecordPipeline(
    record(),
    [{ name: 'dedupe', before: (r) => void (seen = { subscription: r.subscription, id: r.eventId, eb: r.eventBridgeId, data: r.data, remaining: r.deadline.remainingMs() }) }],
    ok([]),
    {},
  );
  assert.deepEqual(seen, { subscription: 'reserve-inventory', id: 'evt-1', eb: 'eb-1', data: { orderId: 'o-1' }, remaining: 10_000 });
});
