/**
 * Stopping the engine while a rule → Lambda delivery is still running (the function runner had
 * not answered yet): the delivery neither writes to the closed store and journal (which used to
 * throw out of the engine) nor counts as failed. Its message stays in flight on the durable
 * delivery queue, so the next start delivers the event again: at least once, as EventBridge's
 * targets are delivered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LambdaInvoker } from '../../lib/local/eventbridge/types.ts';
import { sleep, startEngine } from './support/engine-fixture.ts';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:slow';

const declare = {
  setup(e: { createBus(n: string): unknown; putRule(r: { Name: string; EventBusName: string; EventPattern: string }): unknown; putTargets(b: string, r: string, t: { Id: string; Arn: string }[]): void }) {
    e.createBus('jobs');
    e.putRule({ Name: 'run', EventBusName: 'jobs', EventPattern: '{"detail-type":["job.queued"]}' });
    e.putTargets('jobs', 'run', [{ Id: 'fn', Arn: FUNCTION }]);
  },
};

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  assert.ok(condition(), `timed out waiting until ${what}`);
}

test('a delivery cut short by stop is not journaled as failed and is made again after the restart', async () => {
  let answer: ((error?: Error) => void) | undefined;
  const hanging: LambdaInvoker = {
    invokeAsync: () => new Promise<void>((resolve, reject) => { answer = (error) => (error ? reject(error) : resolve()); }),
  };
  const first = await startEngine({ lambdaInvoker: hanging, ...declare });
  const { Entries: [entry] = [] } = await first.engine.putEvents([{ EventBusName: 'jobs', Source: 'test.jobs', DetailType: 'job.queued', Detail: '{"n":1}' }]);
  await until(() => answer !== undefined, 'the function was invoked');
  await first.engine.stop();
  answer!(new Error('the function runner was stopped'));
  await sleep(50);

  const invoked: string[] = [];
  const second = await first.restart({ lambdaInvoker: { invokeAsync: async (_arn, _payload, context) => { invoked.push(context.eventId); } } });
  try {
    await until(() => invoked.length > 0, 'the delivery was made again');
    assert.deepEqual(invoked, [entry!.EventId]);
    const failed = await second.engine.journalQuery({ eventId: entry!.EventId!, kinds: ['target.failed'] });
    assert.deepEqual(failed, []);
  } finally {
    await second.close();
  }
});
