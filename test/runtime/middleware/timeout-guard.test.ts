import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeadline, raceDeadline } from '../../../lib/runtime/middleware/timeout-guard.ts';

test('without a Lambda context there is no deadline and the signal never aborts', () => {
  const d = createDeadline(undefined, 1000);
  assert.equal(d.remainingMs(), Infinity);
  assert.equal(d.signal.aborted, false);
  d.dispose();
});

test('a deadline already inside the margin aborts at once', () => {
  const d = createDeadline({ getRemainingTimeInMillis: () => 500 }, 1000);
  assert.equal(d.signal.aborted, true);
  assert.equal(d.remainingBeforeGuardMs(), -500);
  d.dispose();
});

test('the signal aborts when the margin is reached, and dispose stops the timer', async () => {
  const end = Date.now() + 60;
  const d = createDeadline({ getRemainingTimeInMillis: () => end - Date.now() }, 50);
  await new Promise<void>((resolve) => d.signal.addEventListener('abort', () => resolve(), { once: true }));
  assert.equal(d.signal.aborted, true);
  const later = createDeadline({ getRemainingTimeInMillis: () => 60_000 }, 50);
  later.dispose();
  assert.equal(later.signal.aborted, false);
});

test('raceDeadline settles with the work when it finishes first, and with the timeout error when the signal aborts first', async () => {
  const controller = new AbortController();
  assert.equal(await raceDeadline(Promise.resolve(7), controller.signal, () => new Error('late')), 7);
  const never = new Promise<number>(() => undefined);
  const raced = raceDeadline(never, controller.signal, () => new Error('late'));
  controller.abort();
  await assert.rejects(raced, /late/);
  await assert.rejects(raceDeadline(Promise.resolve(1), controller.signal, () => new Error('already')), /already/);
});

test('a deadline tells its expiry to onExpire listeners, and a signal asked for after expiry is already aborted', async () => {
  const deadline = createDeadline({ getRemainingTimeInMillis: () => 1020 }, 1000);
  let fired = 0;
  deadline.onExpire(() => void fired++);
  const unsubscribed = deadline.onExpire(() => void (fired += 100));
  unsubscribed();
  assert.equal(deadline.expired, false);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(deadline.expired, true);
  assert.equal(fired, 1);
  assert.equal(deadline.signal.aborted, true);
  assert.match(String((deadline.signal.reason as Error).message), /1000 ms from its timeout/);
  let late = false;
  deadline.onExpire(() => void (late = true));
  assert.equal(late, true);
  deadline.dispose();
});

test('a signal asked for before expiry aborts when the guard fires', async () => {
  const deadline = createDeadline({ getRemainingTimeInMillis: () => 1020 }, 1000);
  const signal = deadline.signal;
  assert.equal(signal.aborted, false);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(signal.aborted, true);
  deadline.dispose();
});
