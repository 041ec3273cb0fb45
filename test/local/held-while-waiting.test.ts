/**
 * What a request no longer needs is let go of before its answer waits: an action can wait a long
 * time (a write waits on an fsync, a long poll up to 20 s), and anything held across that wait
 * outlives young-generation collections, so its memory stays until the next full collection
 * (under load, megabytes of it). Observed with WeakRefs and a full collection while the wait is
 * still on: the request's body (its Buffer, reached through Node's `http.server.request.start`
 * diagnostics channel), the parsed input the action was called with, and PutEvents' entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireServer } from '../../lib/local/wire/server.ts';
import type { ActionHandler } from '../../lib/local/wire/protocol.ts';
import { EventArchive } from '../../lib/local/eventbridge/archive.ts';
import { EventBusService } from '../../lib/local/eventbridge/event-bus-service.ts';
import type { PutEventsRequestEntry } from '../../lib/local/eventbridge/types.ts';
import type { SqsService } from '../../lib/local/sqs/sqs-service.ts';

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

/** A promise and the function that resolves it. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Calls `action` (SQS JSON protocol) on a wire server and returns the answer's promise. */
function call(port: number, action: string, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'x-amz-target': `AmazonSQS.${action}`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(body),
  });
}

async function wireServer(t: { after: (fn: () => Promise<void>) => void }, actions: Record<string, ActionHandler>): Promise<WireServer> {
  const server = await WireServer.start(0, { sqs: actions, events: {}, sqsError: () => undefined, eventsError: () => undefined });
  t.after(() => server.stop());
  return server;
}

test('a request body is not held while its action runs', async (t) => {
  const chunks = watchBodyChunks(t);
  const running = gate();
  const released = gate();
  const wait: ActionHandler = async () => {
    running.open();
    await released.promise;
    return { done: true };
  };
  const server = await wireServer(t, { Wait: wait });
  const answer = call(server.port, 'Wait', { padding: 'x'.repeat(4096) });
  await running.promise;
  await fullCollection();
  assert.ok(chunks.length > 0, 'the request had a body');
  assert.deepEqual(chunks.map((c) => c.deref() === undefined), chunks.map(() => true), 'every chunk of the body was collected while the action ran');
  released.open();
  const response = await answer;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { done: true });
});

test('the input an action was called with is not held by the wire server while the action runs', async (t) => {
  const inputs: Array<WeakRef<object>> = [];
  const running = gate();
  const released = gate();
  // Not an async function: its own frame would hold the input.
  const wait: ActionHandler = (input) => {
    inputs.push(new WeakRef(input));
    running.open();
    return released.promise.then(() => ({ done: true }));
  };
  const server = await wireServer(t, { Wait: wait });
  const answer = call(server.port, 'Wait', { padding: 'x'.repeat(4096) });
  await running.promise;
  await fullCollection();
  assert.equal(inputs[0]!.deref(), undefined, 'the input was collected while the action ran');
  released.open();
  assert.deepEqual(await (await answer).json(), { done: true });
});

test('PutEvents does not hold its entries while it waits for the writes to be durable', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'busline-held-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const durable = gate();
  // The queues' durability is what PutEvents' answer waits on; no rule matches, so nothing else of SQS is used.
  const sqs = { durable: () => durable.promise } as unknown as SqsService;
  const events = new EventBusService({ region: 'us-east-1', accountId: '000000000000', sqs, archive: await EventArchive.open(dir) });
  const refs: Array<WeakRef<PutEventsRequestEntry>> = [];
  const entries = (): PutEventsRequestEntry[] => {
    const made = Array.from({ length: 10 }, (_, i) => ({ Source: 'test.held', DetailType: 'held', Detail: JSON.stringify({ i, padding: 'x'.repeat(512) }) }));
    refs.push(...made.map((e) => new WeakRef(e)));
    return made;
  };
  const answer = events.putEvents(entries());
  await fullCollection();
  assert.deepEqual(refs.map((r) => r.deref() === undefined), refs.map(() => true), 'every entry was collected while the writes were pending');
  durable.open();
  const result = await answer;
  assert.equal(result.FailedEntryCount, 0);
  assert.equal(result.Entries.length, 10);
});
