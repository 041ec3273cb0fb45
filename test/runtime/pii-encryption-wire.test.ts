/**
 * `"x-busline-pii": "encrypt"` over the real wire: moto_server's KMS (GenerateDataKey, Decrypt),
 * EventBridge (PutEvents, a rule to a queue) and SQS (the subscriber's batch and its DLQ). The
 * publisher encrypts the marked fields after validating the plaintext; what EventBridge received
 * holds only ciphertext; the subscriber's runtime decrypts before validation, so the handler gets
 * the plaintext; a field that can never be decrypted sends the record to the DLQ with the reason,
 * never the value.
 *
 * KMS rules these rely on (moto_server answers the same way, checked here):
 *   - GenerateDataKey with KeySpec AES_256 "returns a unique symmetric data key … a plaintext copy
 *     of the data key and a copy that is encrypted under a symmetric encryption KMS key"; with an
 *     EncryptionContext, "you must specify the same encryption context (a case-sensitive exact
 *     match) when decrypting the encrypted data key" (AWS KMS API Reference, GenerateDataKey,
 *     https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html).
 *   - Decrypt with another context fails with InvalidCiphertextException: "the specified
 *     ciphertext, or additional authenticated data incorporated into the ciphertext, such as the
 *     encryption context, is corrupted, missing, or otherwise invalid" (AWS KMS API Reference,
 *     InvalidCiphertextException / Decrypt,
 *     https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html).
 *   - "The encryption context is cryptographically bound to the ciphertext so that the same
 *     encryption context is required to decrypt the data" (AWS KMS Developer Guide, "Encryption
 *     context", https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { SQSRecord } from 'aws-lambda';
import { createPublisher, DLQ_ATTRIBUTES, PublishValidationError, RuntimeOptionsError, wrapHandler } from '../../lib/runtime/index.ts';
import { ENVELOPE_MARK } from '../../lib/runtime/pii-envelope.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing } from '../support/moto-server.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { receiveBatch } from '../support/sqs-batch.ts';
import { lambdaContext } from './fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from './fixtures/moto-env.ts';
import { PII_SCHEMAS_DIR, PII_TOPICS, piiSubscriptionConfig } from './fixtures/pii-flow.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(PII_SCHEMAS_DIR);
let env: MotoEnv;
let kms: KMSClient;
let keyArn: string;
let otherKeyArn: string;
before(async () => {
  if (skip) return;
  env = await startMotoEnv();
  kms = new KMSClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'pii' }))).KeyMetadata!.Arn!;
  otherKeyArn = (await kms.send(new CreateKeyCommand({ Description: 'another flow' }))).KeyMetadata!.Arn!;
});
after(async () => {
  kms?.destroy();
  await env?.close();
});

const attr = (m: { MessageAttributes?: Record<string, { StringValue?: string }> }, name: string) => m.MessageAttributes?.[name]?.StringValue;
let n = 0;
/** Values no other test uses, so finding one anywhere means it leaked from here. */
const unique = (what: string) => `${what}-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;

/** A KMS client counting the calls it sends, by operation name. */
function countingKms(): { client: KMSClient; calls: string[] } {
  const calls: string[] = [];
  const client = new KMSClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  client.middlewareStack.add((next, context) => (args) => {
    calls.push(String(context.commandName));
    return next(args);
  }, { step: 'initialize', name: 'countCalls' });
  return { client, calls };
}

/** Publishes `data` on a fresh bus and returns what the rule delivered to its queue, as SQS records. */
async function publishThroughBus(topic: string, data: unknown, kmsClient?: KMSClient): Promise<SQSRecord[]> {
  const { busName, queueUrl } = await env.busWithQueue([topic]);
  const publisher = createPublisher({ topics: PII_TOPICS, validators, busName, client: env.eventBridge, piiKeyId: keyArn, ...(kmsClient ? { kmsClient } : {}) });
  await publisher.publish(topic, data);
  const records = await receiveBatch(env.sqs, queueUrl, 1);
  assert.equal(records.length, 1, 'the event reached the queue');
  return records;
}

/**
 * Runs a subscriber of `topic` on `records` (DLQ `dlq`); returns what its handler received and its
 * log lines. The handler logs what it received through ctx.logger, as a careless one would.
 */
async function consume(topic: string, records: SQSRecord[], options: { dlq?: string; piiKeyId?: string; kmsClient?: KMSClient } = {}) {
  const received: unknown[] = [];
  const lines: string[] = [];
  const handler = wrapHandler(async (data, ctx) => {
    received.push(data);
    ctx.logger.info('received', { payload: data });
  }, {
    config: piiSubscriptionConfig(topic),
    validators,
    output: (line) => lines.push(line),
    ...(options.dlq ? { dlqUrl: options.dlq } : {}),
    ...(options.piiKeyId ? { piiKeyId: options.piiKeyId } : {}),
    ...(options.kmsClient ? { kmsClient: options.kmsClient } : {}),
  });
  const response = await handler({ Records: records }, lambdaContext());
  return { received, lines, response };
}

/** The record with its EventBridge event changed by `edit` (what a tamperer or a misrouting would deliver). */
function altered(record: SQSRecord, edit: (event: { 'detail-type': string; detail: { data: Record<string, unknown> } }) => void): SQSRecord {
  const event = JSON.parse(record.body);
  edit(event);
  return { ...record, body: JSON.stringify(event) };
}

/** The record sent through a real queue and received again, as the subscriber's queue would deliver it. */
async function throughQueue(record: SQSRecord): Promise<SQSRecord> {
  const source = await env.createQueue('pii-source');
  await env.sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: record.body }));
  const [r] = await receiveBatch(env.sqs, source, 1);
  return r!;
}

test('what EventBridge received holds each encrypted field as an envelope and none of its plaintext', { skip }, async () => {
  const email = `${unique('ada')}@example.com`;
  const card = String(4000_0000_0000_0000 + n);
  const phone = unique('phone');
  const [record] = await publishThroughBus('customer.registered', { customerId: 'c-1', email, cards: [{ number: card, brand: 'visa' }], phone });
  assert.doesNotMatch(record!.body, new RegExp(email.replace(/[.]/g, '\\.')));
  assert.ok(!record!.body.includes(card), 'the card number is not on the wire');
  const data = JSON.parse(record!.body).detail.data;
  assert.equal(data.email[ENVELOPE_MARK], 1);
  assert.equal(data.cards[0].number[ENVELOPE_MARK], 1);
  assert.equal(data.cards[0].brand, 'visa', 'fields not marked encrypt travel as they are');
  assert.equal(data.phone, phone, 'mask fields travel as they are (masked in logs only)');
  assert.equal(data.customerId, 'c-1');
});

test("the subscriber's handler receives the plaintext, decrypted before validation, and its log lines hold none of it", { skip }, async () => {
  const email = `${unique('grace')}@example.com`;
  const card = String(5100_0000_0000_0000 + n);
  const records = await publishThroughBus('customer.registered', { customerId: 'c-2', email, cards: [{ number: card }] });
  const { received, lines, response } = await consume('customer.registered', records, { piiKeyId: keyArn });
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(received, [{ customerId: 'c-2', email, cards: [{ number: card }] }]);
  const logs = lines.join('\n');
  assert.match(logs, /"received"/);
  assert.ok(!logs.includes(email) && !logs.includes(card), 'no plaintext in the log lines: encrypted fields are masked like mask fields');
  assert.match(logs, /\*\*\*/);
});

test('an encrypted field that arrives unencrypted is handled as it is, and a warning names the field, never its value', { skip }, async () => {
  const email = `${unique('hopper')}@example.com`;
  const card = String(5200_0000_0000_0000 + n);
  const [sealed] = await publishThroughBus('customer.registered', { customerId: 'c-7', email: 'sealed@example.com', cards: [{ number: card }] });
  // A producer that does not encrypt (or one from before the field was marked) sends email in the clear.
  const plain = altered(sealed!, (event) => {
    event.detail.data['email'] = email;
  });
  const { received, lines, response } = await consume('customer.registered', [plain], { piiKeyId: keyArn });
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(received, [{ customerId: 'c-7', email, cards: [{ number: card }] }]);
  const warnings = lines.map((l) => JSON.parse(l) as { level: string; message: string; fields?: string[] }).filter((l) => l.message === 'encrypted fields received in plaintext');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.level, 'warn');
  assert.deepEqual(warnings[0]!.fields, ['email'], 'only the field that came unencrypted: the card number came sealed');
  assert.ok(!lines.join('\n').includes(email), 'the value itself is in no log line');
});

test('one event with several encrypted fields costs one GenerateDataKey to publish and one Decrypt to receive', { skip }, async () => {
  const publishing = countingKms();
  const records = await publishThroughBus('customer.registered', {
    customerId: 'c-3',
    email: `${unique('linus')}@example.com`,
    cards: [{ number: '4111111111111111' }, { number: '5500000000000004' }],
  }, publishing.client);
  assert.deepEqual(publishing.calls, ['GenerateDataKeyCommand']);
  const data = JSON.parse(records[0]!.body).detail.data;
  assert.equal(data.email.key, data.cards[0].number.key, 'one data key for the event');
  assert.notEqual(data.email.iv, data.cards[0].number.iv, 'an iv per field');
  const receiving = countingKms();
  const { received } = await consume('customer.registered', records, { kmsClient: receiving.client });
  assert.equal(received.length, 1);
  assert.deepEqual(receiving.calls, ['DecryptCommand']);
  publishing.client.destroy();
  receiving.client.destroy();
});

test('a plaintext that fails the schema is refused before it is encrypted: nothing is published', { skip }, async () => {
  const publishing = countingKms();
  const { busName, queueUrl } = await env.busWithQueue(['customer.registered']);
  const publisher = createPublisher({ topics: PII_TOPICS, validators, busName, client: env.eventBridge, piiKeyId: keyArn, kmsClient: publishing.client });
  await assert.rejects(publisher.publish('customer.registered', { customerId: 'c-5', email: 'not an email' }), PublishValidationError);
  assert.deepEqual(publishing.calls, []);
  assert.equal((await env.drain(queueUrl, 1, 1)).length, 0);
  publishing.client.destroy();
});

test('an envelope delivered under another topic (a wrong encryption context) goes to the DLQ with the reason, never the value', { skip }, async () => {
  const email = `${unique('wrong-context')}@example.com`;
  const [record] = await publishThroughBus('customer.registered', { customerId: 'c-6', email });
  // The same envelope, as an event of customer.welcomed (its schema also encrypts `email`):
  // Decrypt with { "busline:topic": "customer.welcomed" } is refused.
  const misrouted = await throughQueue(altered(record!, (e) => {
    e['detail-type'] = 'customer.welcomed';
    e.detail.data = { customerId: 'c-6', email: e.detail.data.email };
  }));
  const dlq = await env.createQueue('pii-dlq');
  const { received, lines, response } = await consume('customer.welcomed', [misrouted], { dlq, piiKeyId: keyArn });
  assert.deepEqual(received, [], 'the handler never ran');
  assert.deepEqual(response, { batchItemFailures: [] }, 'the record left the queue: it is in the DLQ');
  const [dead] = await env.drain(dlq, 1);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.reason), 'non-retryable');
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.errorName), 'PiiDecryptionError');
  assert.match(attr(dead!, DLQ_ATTRIBUTES.errorMessage)!, /field email of the customer\.welcomed event .*InvalidCiphertextException/);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.topic), 'customer.welcomed');
  assert.ok(!JSON.stringify(dead).includes(email), 'the DLQ message (body and attributes) holds no plaintext');
  assert.ok(!lines.join('\n').includes(email));
  assert.match(lines.join('\n'), /record dead-lettered/);
});

test('an altered ciphertext goes to the DLQ: AES-GCM authentication fails', { skip }, async () => {
  const [record] = await publishThroughBus('customer.registered', { customerId: 'c-7', email: `${unique('tamper')}@example.com` });
  const tampered = await throughQueue(altered(record!, (e) => {
    const envelope = e.detail.data.email as Record<string, string>;
    const bytes = Buffer.from(envelope.ciphertext!, 'base64');
    bytes[0]! ^= 1;
    envelope.ciphertext = bytes.toString('base64');
  }));
  const dlq = await env.createQueue('pii-dlq');
  const { received } = await consume('customer.registered', [tampered], { dlq, piiKeyId: keyArn });
  assert.deepEqual(received, []);
  const [dead] = await env.drain(dlq, 1);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.errorName), 'PiiDecryptionError');
  assert.match(attr(dead!, DLQ_ATTRIBUTES.errorMessage)!, /AES-GCM authentication failed/);
});

test("a data key of another KMS key than the function's goes to the DLQ: KMS refuses it (moto answers AccessDeniedException)", { skip }, async () => {
  const email = `${unique('other-key')}@example.com`;
  const records = await publishThroughBus('customer.registered', { customerId: 'c-8', email });
  const dlq = await env.createQueue('pii-dlq');
  const { received } = await consume('customer.registered', records, { dlq, piiKeyId: otherKeyArn });
  assert.deepEqual(received, []);
  const [dead] = await env.drain(dlq, 1);
  assert.equal(attr(dead!, DLQ_ATTRIBUTES.errorName), 'PiiDecryptionError');
  assert.match(attr(dead!, DLQ_ATTRIBUTES.errorMessage)!, /KMS refused its data key \((AccessDeniedException|IncorrectKeyException)/);
  assert.ok(!JSON.stringify(dead).includes(email));
});

test('a KMS that cannot be reached fails the record for a retry, not the DLQ: it may pass', { skip }, async () => {
  const records = await publishThroughBus('customer.registered', { customerId: 'c-9', email: `${unique('down')}@example.com` });
  // Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused.
  const unreachable = new KMSClient({ endpoint: 'http://127.0.0.1:9', region: MOTO_REGION, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
  const dlq = await env.createQueue('pii-dlq');
  const { received, response } = await consume('customer.registered', records, { dlq, kmsClient: unreachable });
  assert.deepEqual(received, []);
  assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: records[0]!.messageId }] });
  assert.equal((await env.drain(dlq, 1, 1)).length, 0, 'nothing in the DLQ');
  unreachable.destroy();
});

test('a handler publishing a topic with encrypted fields: its ctx.publish goes out encrypted', { skip }, async () => {
  const email = `${unique('relay')}@example.com`;
  const records = await publishThroughBus('customer.registered', { customerId: 'c-10', email });
  const { busName, queueUrl } = await env.busWithQueue(['customer.welcomed']);
  const handler = wrapHandler<{ customerId: string; email: string }>(async (data, ctx) => {
    await ctx.publish('customer.welcomed', { customerId: data.customerId, email: data.email });
  }, {
    config: piiSubscriptionConfig('customer.registered', ['customer.welcomed']),
    validators,
    busName,
    eventBridgeClient: env.eventBridge,
    piiKeyId: keyArn,
    output: () => undefined,
  });
  assert.deepEqual(await handler({ Records: records }, lambdaContext()), { batchItemFailures: [] });
  const [welcomed] = await receiveBatch(env.sqs, queueUrl, 1);
  assert.ok(!welcomed!.body.includes(email), 'the relayed event holds no plaintext');
  assert.equal(JSON.parse(welcomed!.body).detail.data.email[ENVELOPE_MARK], 1);
  const { received } = await consume('customer.welcomed', [welcomed!], { piiKeyId: keyArn });
  assert.deepEqual(received, [{ customerId: 'c-10', email }]);
});

test('a publisher of a topic with encrypted fields and no key configured is refused when it is made', { skip }, () => {
  const saved = process.env.BUSLINE_PII_KEY;
  delete process.env.BUSLINE_PII_KEY;
  try {
    assert.throws(() => createPublisher({ topics: PII_TOPICS, validators, busName: 'b' }), (e: unknown) => e instanceof RuntimeOptionsError && /customer\.registered/.test(e.message) && /BUSLINE_PII_KEY/.test(e.message));
    assert.throws(
      () => wrapHandler(async () => undefined, { config: piiSubscriptionConfig('customer.registered', ['customer.welcomed']), validators }),
      (e: unknown) => e instanceof RuntimeOptionsError && /customer\.welcomed/.test(e.message),
    );
  } finally {
    if (saved !== undefined) process.env.BUSLINE_PII_KEY = saved;
  }
});
