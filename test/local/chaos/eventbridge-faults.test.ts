/**
 * The chaos mode's EventBridge faults: PutEvents throttling and partial failures over the wire,
 * and a rule target getting an event twice, each journaled as a chaos.fault.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { ChaosProfile } from '../../../lib/local/chaos/profile.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from '../support/engine-fixture.ts';
import { declare } from '../support/engine-declarations.ts';
import { faultsOf } from './support.ts';

function engineWithRule(chaos: ChaosProfile): Promise<EngineFixture> {
  return startEngine({
    chaos,
    setup: (e) => declare(e, {
      buses: ['shop'], queues: [{ name: 'placed' }],
      rules: [{ bus: 'shop', name: 'OnPlaced', pattern: '{"detail-type":["item.placed"]}', queue: 'placed' }],
    }),
  });
}

const entry = (n: number): PutEventsRequestEntry => ({
  EventBusName: 'shop', Source: 'test.chaos', DetailType: 'item.placed',
  Detail: JSON.stringify({ metadata: { id: `evt-${n}`, correlationId: `corr-${n}` }, data: { n } }),
});

/** A client that makes one attempt, so the fault the engine answered with is what the test sees. */
const oneAttempt = (fx: EngineFixture): EventBridgeClient =>
  new EventBridgeClient({ endpoint: fx.engine.endpoint, region: fx.engine.region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

test('throttle: PutEvents fails as a whole with ThrottlingException and no entry is accepted', async () => {
  // ThrottlingException: "The request was denied due to request throttling" (Amazon EventBridge
  // API Reference, "PutEventsResultEntry" and Common Errors,
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html).
  const fx = await engineWithRule({ seed: 1, throttle: 1 });
  const client = oneAttempt(fx);
  try {
    await assert.rejects(client.send(new PutEventsCommand({ Entries: [entry(1), entry(2)] })), (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
      e.name === 'ThrottlingException' && e.$metadata?.httpStatusCode === 400);
    assert.deepEqual(await fx.engine.journalQuery({ kinds: ['event.accepted'] }), []);
    const faults = await faultsOf(fx.engine, 'throttle');
    assert.deepEqual(faults.map((f) => [f.bus, f.errorCode, f.metadataId, f.topic]), [
      ['shop', 'ThrottlingException', 'evt-1', 'item.placed'], ['shop', 'ThrottlingException', 'evt-2', 'item.placed'],
    ]);
  } finally {
    client.destroy();
    await fx.close();
  }
});

test('partial failure: struck entries fail in their slots with a retryable ErrorCode, FailedEntryCount counts them, the others are accepted', async () => {
  // "Successful result entries include an Id value, and unsuccessful result entries include
  // ErrorCode and ErrorMessage values" (EventBridge User Guide, "Sending events with PutEvents",
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html); retryable codes
  // are InternalFailure and ThrottlingException (API Reference, "PutEventsResultEntry").
  const fx = await engineWithRule({ seed: 3, partialFailure: 0.5 });
  const client = oneAttempt(fx);
  try {
    const result = await client.send(new PutEventsCommand({ Entries: [1, 2, 3, 4, 5, 6, 7, 8].map(entry) }));
    const failed = result.Entries!.flatMap((e, i) => (e.ErrorCode ? [i] : []));
    assert.ok(failed.length > 0 && failed.length < 8, `seed 3 fails some entries, not all (failed: ${failed.join(',')})`);
    assert.equal(result.FailedEntryCount, failed.length);
    for (const i of failed) assert.ok(['InternalFailure', 'ThrottlingException'].includes(result.Entries![i]!.ErrorCode!));
    const accepted = await fx.engine.journalQuery({ kinds: ['event.accepted'] });
    const acceptedIds = accepted.map((r) => r.eventId);
    assert.deepEqual(acceptedIds, result.Entries!.filter((e) => e.EventId).map((e) => e.EventId));
    const faults = await faultsOf(fx.engine, 'partial-failure');
    assert.deepEqual(faults.map((f) => f.metadataId), failed.map((i) => `evt-${i + 1}`));
    assert.deepEqual(faults.map((f) => f.errorCode), failed.map((i) => result.Entries![i]!.ErrorCode));
  } finally {
    client.destroy();
    await fx.close();
  }
});

test("the engine's own putEvents (a test harness's input) is never throttled", async () => {
  const fx = await engineWithRule({ seed: 1, throttle: 1, partialFailure: 1 });
  try {
    const result = await fx.engine.putEvents([{ ...entry(1), Detail: entry(1).Detail! }]);
    assert.equal(result.FailedEntryCount, 0);
    assert.deepEqual(await faultsOf(fx.engine), []);
  } finally {
    await fx.close();
  }
});

test('duplicate to a target: the rule delivers the event to its queue twice, and the fault names the rule, target and event', async () => {
  // EventBridge retries a delivery that did not succeed, e.g. "due to network conditions"
  // (EventBridge User Guide, "How EventBridge retries delivering events",
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html): a
  // delivery whose success was not seen is made again, and the target gets the event twice.
  const fx = await engineWithRule({ seed: 1, duplicate: 1 });
  try {
    const result = await fx.engine.putEvents([{ ...entry(1), Detail: entry(1).Detail! }]);
    const eventId = result.Entries[0]!.EventId!;
    const queueUrl = fx.engine.queue('placed').url;
    const messages = (await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? [];
    assert.deepEqual(messages.map((m) => (JSON.parse(m.Body!) as { id: string }).id), [eventId, eventId]);
    const faults = (await faultsOf(fx.engine, 'duplicate')).filter((f) => f.rule !== undefined);
    assert.deepEqual(faults.map((f) => [f.bus, f.rule, f.targetId, f.eventId]), [['shop', 'OnPlaced', 'queue', eventId]]);
  } finally {
    await fx.close();
  }
});
