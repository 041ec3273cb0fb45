/**
 * The programmatic API the function runner and CLI use (event source mappings poll with it,
 * `busline dlq` reads and redrives with it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';

let f: EngineFixture;
before(async () => {
  f = await startEngine({
    setup(e) {
      const dlq = e.createQueue('api-dlq');
      e.createQueue('api-work', { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
      e.createQueue('api-plain', { VisibilityTimeout: '60' });
      e.createBus('api');
      e.putRule({ Name: 'all', EventBusName: 'api', EventPattern: '{"source":["api.test"]}' });
      e.putTargets('api', 'all', [{ Id: 'work', Arn: e.queue('api-work').arn }]);
    },
  });
});
after(() => f.close());

test('putEvents, receiveMessages and deleteMessage work without the wire', async () => {
  const put = await f.engine.putEvents([{ EventBusName: 'api', Source: 'api.test', DetailType: 'Ping', Detail: '{"n":1}' }]);
  assert.equal(put.FailedEntryCount, 0);
  const [m] = await f.engine.receiveMessages('api-work', { maxNumberOfMessages: 10, waitTimeSeconds: 1 });
  assert.equal(JSON.parse(m!.Body).id, put.Entries[0]!.EventId);
  assert.equal(m!.Attributes['ApproximateReceiveCount'], '1');
  await f.engine.deleteMessage('api-work', m!.ReceiptHandle);
  assert.deepEqual(f.engine.queueCounts('api-work'), { visible: 0, inFlight: 0, delayed: 0 });
});

test('a long poll ends empty when its signal aborts', async () => {
  const stop = new AbortController();
  const polling = f.engine.receiveMessages('api-work', { waitTimeSeconds: 60, signal: stop.signal });
  stop.abort();
  assert.deepEqual(await polling, []);
});

test('changeMessageVisibility(0) hands a message back for the next poll (per-message backoff)', async () => {
  await f.engine.sendMessage('api-plain', { MessageBody: 'retry me' });
  const [m] = await f.engine.receiveMessages('api-plain');
  assert.equal(f.engine.queueCounts('api-plain').inFlight, 1);
  await f.engine.changeMessageVisibility('api-plain', m!.ReceiptHandle, 0);
  const [again] = await f.engine.receiveMessages('api-plain');
  assert.equal(again?.Body, 'retry me');
  assert.equal(again?.Attributes['ApproximateReceiveCount'], '2');
  await f.engine.deleteMessage('api-plain', again!.ReceiptHandle);
});

test('peekMessages shows dead letters without receiving them, and moveMessages redrives them', async () => {
  await f.engine.sendMessage('api-work', { MessageBody: 'poison' });
  const [m] = await f.engine.receiveMessages('api-work');
  await f.engine.changeMessageVisibility('api-work', m!.ReceiptHandle, 0);
  assert.deepEqual(await f.engine.receiveMessages('api-work'), []); // maxReceiveCount 1: moved to the DLQ
  const dead = f.engine.peekMessages('api-dlq');
  assert.deepEqual(dead.map((d) => d.Body), ['poison']);
  assert.equal(f.engine.peekMessages('api-dlq').length, 1, 'peeking does not consume');
  assert.deepEqual(await f.engine.moveMessages('api-dlq'), { moved: 1 });
  const [back] = await f.engine.receiveMessages('api-work');
  assert.equal(back?.Body, 'poison');
});

test('queue() resolves names, URLs and ARNs, and names a missing queue in its error', () => {
  const byName = f.engine.queue('api-work');
  assert.equal(f.engine.queue(byName.url).arn, byName.arn);
  assert.equal(f.engine.queue(byName.arn).url, byName.url);
  assert.throws(() => f.engine.queue('nope'), /does not exist: nope/);
});
