/**
 * PII encrypt mode end to end (issue 19, "What it must show"): the PII project (pii-project.ts)
 * in encrypt mode, whose topic marks `email` `"x-busline-pii": "encrypt"` and whose flow's
 * `piiKey` is a KMS key of the stack, runs in `busline dev` with IAM enforced. `busline publish`
 * encrypts the email with a data key of that key (as a handler's publish does); the subscriber's
 * runtime decrypts it with kms:Decrypt granted for the topic. One event goes through a failed
 * attempt and a retry that succeeds, another ends in the DLQ, then `busline replay` re-sends both.
 *
 * The value is found nowhere but in what the handler received (the project's received.jsonl,
 * outside the state folder): not in `busline dev`'s stdout and stderr, not in ANY file of the
 * state folder (the stored events in store/, archive/ and dynamodb/ included: they hold only
 * envelopes), not in `busline events`, `busline tail`, `busline dlq show`, the dashboard's and
 * MCP's answers, nor the catalog.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readDevSession } from '../../lib/cli/dev-session.ts';
import { ENVELOPE_MARK, isEnvelope } from '../../lib/runtime/pii-envelope.ts';
import { waitFor } from '../local/support/reference-flow.ts';
import { RECEIVED_FILE, TAP_QUEUE } from './support/pii-project.ts';
import { assertWithout, buslineIn, filesUnder, runPiiProject, testOutputsHide } from './support/pii-outputs.ts';

const EMAIL = `pii-${randomUUID()}@example.com`;
const assertHidden = assertWithout(EMAIL);

const run = runPiiProject('encrypt', EMAIL);

test('the handler received the value in plaintext, decrypted by its runtime, on the attempt that succeeded', () => {
  const received = readFileSync(join(run().project.dir, RECEIVED_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { contactId: string; email: string; attempt: number });
  assert.deepEqual([received[0]!.contactId, received[0]!.email, received[0]!.attempt], ['c-retry', EMAIL, 2]);
});

test("busline dev's stdout and stderr, the functions' log lines among them, never show the value", () => {
  assert.match(run().dev.output(), /\[welcome\] INFO welcoming/);
  assert.match(run().dev.output(), /to=\*\*\*/);
  assertHidden('busline dev output', run().dev.output());
});

test('no file of the state folder holds the value: the queues, the archive and the tables hold only envelopes', () => {
  const files = filesUnder(run().stateDir);
  for (const store of ['journal', 'store', 'archive', 'dynamodb']) assert.ok(files.some((f) => f.startsWith(store)), `no ${store} files: ${files.join(', ')}`);
  for (const f of files) assert.ok(!readFileSync(join(run().stateDir, f), 'latin1').includes(EMAIL), `${f} holds the PII value`);
  const archived = filesUnder(join(run().stateDir, 'archive')).map((f) => readFileSync(join(run().stateDir, 'archive', f), 'utf8')).join('\n');
  assert.ok(archived.includes(ENVELOPE_MARK), 'the archived events hold no envelope');
});

testOutputsHide(EMAIL, run);

test('the catalog marks the field encrypted PII and never shows the value', async () => {
  const out = join(run().project.dir, 'catalog.md');
  await buslineIn(run().project, ['catalog', '--assembly', readDevSession(run().stateDir).assemblyDir, '--out', out]);
  const catalog = readFileSync(out, 'utf8');
  assert.match(catalog, /\| `email` \| string \| yes \| PII \(encrypted\) \|/);
  assertHidden('the catalog', catalog);
});

test('busline publish into an encrypt topic puts an envelope on the bus: the queue it reaches holds ciphertext, not the value', async () => {
  const unique = `raw-${randomUUID()}@example.com`;
  await buslineIn(run().project, ['publish', 'contact.added', JSON.stringify({ contactId: 'c-raw', email: unique, failTimes: 0 }), '--id', 'pii-raw', '--state', run().stateDir]);
  const sqs = new SQSClient({ endpoint: run().dev.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: TAP_QUEUE }));
    const bodies: string[] = [];
    const raw = await waitFor('the published event on the tap queue', async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...(got.Messages ?? []).map((m) => m.Body ?? ''));
      return bodies.find((b) => b.includes('"pii-raw"'));
    });
    assert.ok(!raw.includes(unique), raw);
    const email = (JSON.parse(raw) as { detail: { data: { email: unknown } } }).detail.data.email;
    assert.ok(isEnvelope(email), raw);
    assert.deepEqual(Object.keys(email).sort(), [ENVELOPE_MARK, 'ciphertext', 'iv', 'key', 'tag'].sort());
  } finally {
    sqs.destroy();
  }
});
