/**
 * What the runtime does under each delivery fault, on the greetings fixture (greet handles
 * greeting.sent and publishes greeting.recorded) run by busline/testing on virtual time: the
 * fault happened (its chaos.fault record), and every greeting's effect, the greeting.recorded
 * event, was committed exactly once (dedupe), or the greeting is on the DLQ with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testFlow, type FlowTest } from 'busline/testing';
import type { ChaosProfile } from '../../../lib/local/chaos/profile.ts';
import type { ChaosFaultRecord, JournalRecord } from '../../../lib/local/journal/types.ts';
import { greetingsStack } from '../../fixtures/greetings-flow/stack.ts';
import type { TopicMap } from '../../fixtures/greetings-flow/types.ts';

const GREETINGS = 6;

interface Run {
  readonly flow: FlowTest<TopicMap>;
  readonly sent: readonly { readonly id: string }[];
  readonly faults: readonly ChaosFaultRecord[];
  readonly records: readonly JournalRecord[];
}

/** Publishes GREETINGS greetings under the profile, settles the flow, and reads the journal. */
async function greetUnder(chaos: ChaosProfile, run: (r: Run) => void | Promise<void>): Promise<void> {
  const flow = await testFlow<TopicMap>(greetingsStack(), { chaos });
  try {
    const sent = [];
    for (let i = 0; i < GREETINGS; i++) sent.push(await flow.publish('greeting.sent', { name: `Guest ${i}`, times: 1 }));
    await flow.settle();
    const records = (await (await fetch(`${flow.endpoint}/_busline/journal`)).json()) as JournalRecord[];
    const faults = records.filter((r): r is ChaosFaultRecord => r.kind === 'chaos.fault');
    await run({ flow, sent, faults, records });
  } finally {
    await flow.close();
  }
}

/** Every greeting was recorded exactly once, or is on greet's DLQ with a reason. */
function effectsExactlyOnce({ flow, sent }: Run): void {
  const recorded = flow.published('greeting.recorded');
  const dead = flow.deadLettered('greet');
  for (const s of sent) {
    const effects = recorded.filter((e) => e.causationId === s.id).length;
    const letter = dead.find((d) => d.id === s.id);
    if (letter) {
      assert.equal(effects, 0, `${s.id} dead-lettered and recorded`);
      assert.ok(letter.reason, `${s.id} dead-lettered without a reason`);
    } else {
      assert.equal(effects, 1, `${s.id} recorded ${effects} times`);
    }
  }
}

test('duplicate: copies of a delivery reach greet, the runtime skips them as duplicates, and each greeting is recorded once', async () => {
  await greetUnder({ seed: 11, duplicate: 0.4 }, (run) => {
    assert.ok(run.faults.some((f) => f.fault === 'duplicate'), 'seed 11 duplicates some deliveries');
    assert.ok(run.flow.deliveries('greet').some((d) => d.deduplicated), 'greet saw a copy and skipped it');
    effectsExactlyOnce(run);
  });
});

test("crash: a function's worker dies mid-invocation, the invocation fails with Runtime.ExitError, the message is received again and handled, and each greeting is recorded once", async () => {
  // Lambda reports a runtime that exited mid-invocation as "RequestId: … Error: Runtime exited
  // with error: exit status 1" / Runtime.ExitError (as seen in
  // https://github.com/aws/aws-lambda-python-runtime-interface-client/issues/10); SQS delivers the message again after its visibility timeout (SQS Developer Guide, "Amazon SQS
  // visibility timeout", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
  await greetUnder({ seed: 3, crash: 0.3 }, (run) => {
    const crashes = run.faults.filter((f) => f.fault === 'crash');
    assert.ok(crashes.length > 0, 'seed 3 crashes some invocations');
    for (const crash of crashes) {
      assert.equal(crash.errorCode, 'Runtime.ExitError');
      const finished = run.records.find((r) => r.kind === 'invocation.finished' && r.seq > crash.seq && r.functionName === crash.functionName);
      assert.match(finished?.kind === 'invocation.finished' ? finished.error ?? '' : '', /Runtime\.ExitError/);
    }
    const handlings = run.flow.events().flatMap((e) => [e, ...e.caused]).flatMap((e) => e.handledBy);
    assert.ok(handlings.some((h) => h.attempts > 1 && h.outcome === 'succeeded' && /Runtime\.ExitError/.test(h.lastError ?? '')), 'an event was retried after a crash, and succeeded');
    effectsExactlyOnce(run);
  });
});

test('timeout: an invocation answers past its timeout, fails as Sandbox.Timedout, is retried, and each greeting is recorded once', async () => {
  await greetUnder({ seed: 4, timeout: 0.3 }, (run) => {
    const timeouts = run.faults.filter((f) => f.fault === 'timeout');
    assert.ok(timeouts.length > 0, 'seed 4 times some invocations out');
    assert.ok(run.records.some((r) => r.kind === 'invocation.finished' && r.outcome === 'timeout'));
    effectsExactlyOnce(run);
  });
});

test('visibility expiry: a message becomes visible while greet runs, another poller takes it, and each greeting is still recorded once', async () => {
  // "If … the message isn't deleted before the visibility timeout expires, the message becomes
  // visible to other consumers" (SQS Developer Guide, "Amazon SQS visibility timeout").
  await greetUnder({ seed: 5, visibilityExpiry: 0.3 }, (run) => {
    const expiries = run.faults.filter((f) => f.fault === 'visibility-expiry');
    assert.ok(expiries.length > 0, 'seed 5 lets some leases run out');
    for (const expiry of expiries) {
      const receives = run.records.filter((r) => r.kind === 'delivery.received' && r.messageId === expiry.messageId);
      assert.ok(receives.length >= 2, `message ${expiry.messageId} was received again by another poller`);
    }
    effectsExactlyOnce(run);
  });
});

test("PutEvents throttling and partial failures: greet's publishes are refused, the runtime's publisher sends them again, and each greeting is recorded once", async () => {
  await greetUnder({ seed: 6, throttle: 0.3, partialFailure: 0.3 }, (run) => {
    assert.ok(run.faults.some((f) => f.fault === 'throttle' || f.fault === 'partial-failure'), 'seed 6 refuses some publishes');
    effectsExactlyOnce(run);
  });
});

test('DynamoDB throttling and transaction conflicts: the dedupe store and effects transaction are refused at times, the runtime retries, and each greeting is recorded once', async () => {
  await greetUnder({ seed: 8, dynamodbThrottle: 0.2, transactionConflict: 0.3 }, (run) => {
    assert.ok(run.faults.some((f) => f.fault === 'dynamodb-throttle' || f.fault === 'transaction-conflict'), 'seed 8 refuses some DynamoDB requests');
    effectsExactlyOnce(run);
  });
});

test('reorder and delay: greetings arrive late and out of order, and each is recorded once', async () => {
  await greetUnder({ seed: 9, reorder: 0.5, delay: 0.5, delayMs: 30_000 }, (run) => {
    assert.ok(run.faults.some((f) => f.fault === 'delay'), 'seed 9 delays some messages');
    effectsExactlyOnce(run);
  });
});

test('busline events shows a fault in the tree of the event it struck', async () => {
  await greetUnder({ seed: 11, duplicate: 0.4 }, ({ flow, faults }) => {
    const struck = faults.find((f) => f.fault === 'duplicate' && f.queue !== undefined);
    const tree = flow.lineage(struck?.eventId);
    assert.match(tree, /⚡ chaos duplicate at queue greet: the delete missed a copy: delivered again as message/);
  });
});

test('the same seed reproduces the same faults in the same places on the virtual clock', async () => {
  // Message and event ids are new each run: a fault is compared by kind, place and what it did.
  const shape = (f: ChaosFaultRecord): string =>
    [f.fault, f.queue, f.functionName, f.table, f.rule, f.errorCode, f.detail.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')].join('|');
  const profile: ChaosProfile = { seed: 13, duplicate: 0.3, crash: 0.2, reorder: 0.3 };
  let first: string[] = [];
  await greetUnder(profile, ({ faults }) => { first = faults.map(shape); });
  assert.ok(first.length > 0);
  await greetUnder(profile, ({ faults }) => { assert.deepEqual(faults.map(shape), first); });
});
