/**
 * Queue operations of issue 13 change persisted queue state like every other queue change: a
 * deleted queue, tags, a Policy written by AddPermission and a removed RedrivePolicy survive an
 * engine restart, whether the state is rebuilt from the write-ahead log or from the snapshot the
 * engine writes at start (lib/local/store; lib/local/README.md, "Durability").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';

async function declare(f: EngineFixture): Promise<void> {
  const dlq = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'ops-dlq' }))).QueueUrl!;
  const dlqArn = (await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
  const kept = (await f.sqs.send(new CreateQueueCommand({
    QueueName: 'ops-kept',
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
    tags: { team: 'orders' },
  }))).QueueUrl!;
  await f.sqs.send(new TagQueueCommand({ QueueUrl: kept, Tags: { env: 'dev' } }));
  await f.sqs.send(new AddPermissionCommand({ QueueUrl: kept, Label: 'partner', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
  await f.sqs.send(new SetQueueAttributesCommand({ QueueUrl: kept, Attributes: { RedrivePolicy: '' } }));
  const gone = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'ops-gone' }))).QueueUrl!;
  await f.sqs.send(new DeleteQueueCommand({ QueueUrl: gone }));
}

async function assertState(sqs: SQSClient, f: EngineFixture): Promise<void> {
  await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'ops-gone' })), (e: Error) => e.name === 'QueueDoesNotExist');
  const kept = f.engine.queue('ops-kept').url;
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: kept }))).Tags, { team: 'orders', env: 'dev' });
  const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: kept, AttributeNames: ['All'] }))).Attributes!;
  assert.equal(attributes['RedrivePolicy'], undefined);
  const policy = JSON.parse(attributes['Policy']!) as { Statement: Array<{ Sid: string }> };
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ['partner']);
}

test('a deleted queue, tags, an AddPermission policy and a removed redrive policy survive a restart (log replay)', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  await declare(f);
  f = await f.restart();
  await assertState(f.sqs, f);
});

test('a deleted queue, tags, an AddPermission policy and a removed redrive policy survive a second restart (from the snapshot written at start)', async (t) => {
  let f = await startEngine();
  t.after(() => f.close());
  await declare(f);
  f = await f.restart();
  f = await f.restart();
  await assertState(f.sqs, f);
});
