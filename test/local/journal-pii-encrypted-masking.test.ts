/**
 * PII encrypt mode in the engine's journal (journal/journal-pii-masking.ts with
 * kms/pii-envelope-opener.ts): an event whose encrypted field holds an envelope
 * (lib/runtime/pii-envelope.ts) is journaled with its envelope, and the value inside it, which the
 * engine learns with its own KMS key, is masked wherever the handler repeats it (an error, a log
 * line, a DynamoDB write). The envelope's own parts are never taken for PII values.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { journaledFailureQuoting, journaledWriteKeyedBy } from './support/journal-pii.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from './support/engine-fixture.ts';
import { createPiiCrypto, type PiiCrypto } from '../../lib/runtime/pii-crypto.ts';
import { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError } from '../../lib/runtime/errors.ts';
import { isEnvelope } from '../../lib/runtime/pii-envelope.ts';
import type { EventAcceptedRecord } from '../../lib/local/index.ts';

let fx: EngineFixture;
let kms: KMSClient;
let crypto: PiiCrypto;

before(async () => {
  fx = await startEngine({ withoutDynamoDb: false });
  fx.engine.createBus('contacts');
  const q = fx.engine.createQueue('Welcome', {});
  fx.engine.putRule({ Name: 'Added', EventBusName: 'contacts', EventPattern: '{"detail-type":["contact.added"]}' });
  fx.engine.putTargets('contacts', 'Added', [{ Id: 'q', Arn: q.arn }]);
  fx.engine.setTopicPiiPaths(new Map([['contact.added', [['email']]]]));
  const key = fx.engine.declareKey({ keyId: '6f0e8a52-1d2b-4c3d-8e4f-5a6b7c8d9e0f' });
  kms = new KMSClient({ endpoint: fx.engine.endpoint, region: fx.engine.region, credentials: TEST_CREDENTIALS });
  crypto = createPiiCrypto({ errors: { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError }, client: kms, keyId: key.arn });
  await fx.dynamodb.send(new CreateTableCommand({
    TableName: 'Received', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'email', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
  }));
});
after(async () => {
  kms.destroy();
  await fx.close();
});

/** Publishes a contact.added event whose email (a value made for the test) is encrypted as a Busline publisher does. */
async function publishEncryptedContact(): Promise<{ eventId: string; email: string }> {
  const email = `pii-${randomUUID()}@example.com`;
  const data = await crypto.seal('contact.added', { contactId: 'c-1', email }, [['email']]);
  const { Entries: [result] } = await fx.engine.putEvents([{
    EventBusName: 'contacts', Source: 'test.contacts', DetailType: 'contact.added',
    Detail: JSON.stringify({ metadata: { id: randomUUID(), correlationId: 'c-1' }, data }),
  }]);
  return { eventId: result!.EventId!, email };
}

test('the journal record of an encrypted event holds its envelope, and its other fields untouched by the envelope', async () => {
  const { eventId } = await publishEncryptedContact();
  const [record] = await fx.engine.journalQuery({ eventId, kinds: ['event.accepted'] }) as EventAcceptedRecord[];
  const data = (record!.event as { detail: { data: { contactId: string; email: unknown } } }).detail.data;
  assert.ok(isEnvelope(data.email), JSON.stringify(data));
  // The envelope's version is 1: were it taken for a PII value, 'c-1' would read 'c-***'.
  assert.equal(data.contactId, 'c-1');
});

test("an invocation's error and log lines are masked with the value inside the event's envelope", async () => {
  const { eventId, email } = await publishEncryptedContact();
  assert.deepEqual(await journaledFailureQuoting(fx, eventId, email, 'e-1'), ['Error: the mail server refused ***', ['sending to ***']]);
});

test('a table.written record masks the decrypted value of the encrypted event whose handler writes it', async () => {
  const { eventId, email } = await publishEncryptedContact();
  assert.deepEqual(await journaledWriteKeyedBy(fx, eventId, email, 'e-2'), [['Received', '{"email":{"S":"***"}}']]);
});

test('an envelope whose data key no key of the engine made masks nothing, and the record keeps it', async () => {
  const sealed = await crypto.seal('contact.added', { contactId: 'c-2', email: `pii-${randomUUID()}@example.com` }, [['email']]) as { email: Record<string, string> };
  const forged = { ...sealed.email, key: Buffer.from('not a kms blob').toString('base64') };
  const { Entries: [result] } = await fx.engine.putEvents([{
    EventBusName: 'contacts', Source: 'test.contacts', DetailType: 'contact.added',
    Detail: JSON.stringify({ metadata: { id: randomUUID(), correlationId: 'c-2' }, data: { contactId: 'c-2', email: forged } }),
  }]);
  const [record] = await fx.engine.journalQuery({ eventId: result!.EventId!, kinds: ['event.accepted'] }) as EventAcceptedRecord[];
  const data = (record!.event as { detail: { data: { contactId: string; email: unknown } } }).detail.data;
  assert.deepEqual(data, { contactId: 'c-2', email: forged });
});
