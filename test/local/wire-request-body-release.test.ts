/**
 * The wire server lets go of a request's body once it has parsed it: an action can wait a long
 * time (a write waits on an fsync, a long poll up to 20 s), and a body held across that wait
 * outlives young-generation collections, so its memory stays until the next full one. Observed
 * with a WeakRef on the body's Buffer (reached through Node's `http.server.request.start`
 * diagnostics channel) and a full collection while the action is still running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WireServer } from '../../lib/local/wire/server.ts';
import type { ActionHandler } from '../../lib/local/wire/protocol.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A full collection, after the current job (a WeakRef's target is kept until the job ends). */
async function fullCollection(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
}

/** WeakRefs to every body chunk the server's requests receive, while subscribed. */
function watchBodyChunks(t: { after: (fn: () => void) => void }): Array<WeakRef<Buffer>> {
  const chunks: Array<WeakRef<Buffer>> = [];
  const onStart = (message: unknown) => {
    (message as { request: http.IncomingMessage }).request.on('data', (chunk: Buffer) => chunks.push(new WeakRef(chunk)));
  };
  subscribe('http.server.request.start', onStart);
  t.after(() => unsubscribe('http.server.request.start', onStart));
  return chunks;
}

test('a request body is not held while its action runs', async (t) => {
  const chunks = watchBodyChunks(t);
  let entered!: () => void;
  const running = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const wait: ActionHandler = async () => {
    entered();
    await released;
    return { done: true };
  };
  const server = await WireServer.start(0, { sqs: { Wait: wait }, events: {}, sqsError: () => undefined, eventsError: () => undefined });
  t.after(() => server.stop());

  const answer = fetch(`http://127.0.0.1:${server.port}/`, {
    method: 'POST',
    headers: { 'x-amz-target': 'AmazonSQS.Wait', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ padding: 'x'.repeat(4096) }),
  });
  await running;
  await fullCollection();
  assert.ok(chunks.length > 0, 'the request had a body');
  assert.deepEqual(chunks.map((c) => c.deref() === undefined), chunks.map(() => true), 'every chunk of the body was collected while the action ran');
  release();
  const response = await answer;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { done: true });
});
