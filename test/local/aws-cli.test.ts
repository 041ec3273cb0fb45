/**
 * The `aws` CLI works against the engine unchanged with --endpoint-url (SQS and EventBridge
 * JSON protocols, DynamoDB through dynalite, KMS).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolMissing } from '../support/prerequisites.ts';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';

const run = promisify(execFile);
const missing = toolMissing('aws');

let f: EngineFixture;
before(async () => {
  if (missing) return;
  f = await startEngine({
    withoutDynamoDb: false,
    setup(e) {
      e.createBus('orders');
      const q = e.createQueue('cli-orders');
      e.putRule({ Name: 'placed', EventBusName: 'orders', EventPattern: '{"detail-type":["OrderPlaced"]}' });
      e.putTargets('orders', 'placed', [{ Id: 'q', Arn: q.arn }]);
    },
  });
});
after(() => f?.close());

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', ['--endpoint-url', f.engine.endpoint, '--output', 'json', ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' },
    timeout: 60_000,
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

test('aws events put-events routes to the queue, and aws sqs receive-message reads it with verified MD5s', { skip: missing }, async () => {
  const put = await aws('events', 'put-events', '--entries', JSON.stringify([{ EventBusName: 'orders', Source: 'cli', DetailType: 'OrderPlaced', Detail: '{"data":{"orderId":"cli-1"}}' }]));
  assert.equal(put['FailedEntryCount'], 0);
  const url = (await aws('sqs', 'get-queue-url', '--queue-name', 'cli-orders'))['QueueUrl'] as string;
  const received = await aws('sqs', 'receive-message', '--queue-url', url, '--message-attribute-names', 'All', '--attribute-names', 'All');
  const [message] = received['Messages'] as Array<{ Body: string; Attributes: Record<string, string> }>;
  assert.equal(JSON.parse(message!.Body).detail.data.orderId, 'cli-1');
  assert.equal(message!.Attributes['ApproximateReceiveCount'], '1');
});

test('aws sqs send-message with attributes passes the CLI\'s MD5 checks', { skip: missing }, async () => {
  await aws('sqs', 'create-queue', '--queue-name', 'cli-attrs');
  const url = (await aws('sqs', 'get-queue-url', '--queue-name', 'cli-attrs'))['QueueUrl'] as string;
  const sent = await aws('sqs', 'send-message', '--queue-url', url, '--message-body', 'hello', '--message-attributes', JSON.stringify({ kind: { DataType: 'String', StringValue: 'greeting' } }));
  assert.ok(sent['MessageId']);
  const received = await aws('sqs', 'receive-message', '--queue-url', url, '--message-attribute-names', 'All');
  assert.equal((received['Messages'] as Array<{ Body: string }>)[0]!.Body, 'hello');
});

test('aws events list-rules, describe-rule and test-event-pattern answer', { skip: missing }, async () => {
  const rules = (await aws('events', 'list-rules', '--event-bus-name', 'orders'))['Rules'] as Array<{ Name: string }>;
  assert.deepEqual(rules.map((r) => r.Name), ['placed']);
  const rule = await aws('events', 'describe-rule', '--event-bus-name', 'orders', '--name', 'placed');
  assert.equal(rule['EventPattern'], '{"detail-type":["OrderPlaced"]}');
  const event = JSON.stringify({ id: '1', account: '1', source: 's', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'OrderPlaced', detail: {} });
  const tested = await aws('events', 'test-event-pattern', '--event-pattern', '{"detail-type":["OrderPlaced"]}', '--event', event);
  assert.equal(tested['Result'], true);
});

test('aws dynamodb talks to the engine\'s DynamoDB through the same endpoint', { skip: missing }, async () => {
  await aws('dynamodb', 'create-table', '--table-name', 'CliTable', '--attribute-definitions', 'AttributeName=pk,AttributeType=S', '--key-schema', 'AttributeName=pk,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST');
  const tables = (await aws('dynamodb', 'list-tables'))['TableNames'] as string[];
  assert.ok(tables.includes('CliTable'));
});

test('aws kms: a key and alias made with the CLI encrypt and decrypt, the encryption context bound (blobs as fileb:// files)', { skip: missing }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'busline-cli-kms-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keyId = ((await aws('kms', 'create-key', '--description', 'cli'))['KeyMetadata'] as { KeyId: string }).KeyId;
  await aws('kms', 'create-alias', '--alias-name', 'alias/cli-pii', '--target-key-id', keyId);
  await writeFile(join(dir, 'plaintext'), 'ada@example.com');
  const sealed = await aws('kms', 'encrypt', '--key-id', 'alias/cli-pii', '--plaintext', `fileb://${join(dir, 'plaintext')}`, '--encryption-context', 'topic=user.signed-up,field=email');
  await writeFile(join(dir, 'ciphertext'), Buffer.from(sealed['CiphertextBlob'] as string, 'base64'));
  const opened = await aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'ciphertext')}`, '--encryption-context', 'field=email,topic=user.signed-up');
  assert.equal(Buffer.from(opened['Plaintext'] as string, 'base64').toString('utf8'), 'ada@example.com');
  assert.equal(opened['KeyId'], sealed['KeyId']);
  await assert.rejects(aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'ciphertext')}`), /InvalidCiphertextException/);
});

test('a missing queue gives the CLI AWS\'s error code', { skip: missing }, async () => {
  await assert.rejects(aws('sqs', 'get-queue-url', '--queue-name', 'does-not-exist'), (error: Error & { stderr?: string }) => /NonExistentQueue|QueueDoesNotExist/.test(error.stderr ?? ''));
});
