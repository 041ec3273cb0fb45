/**
 * IAM on the engine's KMS: a function's calls need `kms:<Action>` on the key ARN (also when they
 * name the key by an alias; Decrypt on the key its ciphertext names), and the encryption context
 * is the condition keys `kms:EncryptionContext:<key>` ("AWS KMS condition keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context).
 * A denial is KMS's `AccessDeniedException`, HTTP 400 (AWS KMS API Reference, "Common Errors",
 * https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startEngine } from '../support/engine-fixture.ts';
import { IamAuthorizer, type AccessDenial, type IamMode } from '../../../lib/local/iam/iam-authorizer.ts';
import { GrantHints } from '../../../lib/local/iam/grant-hints.ts';
import { functionAccessKeyId } from '../../../lib/local/iam/caller.ts';
import type { PolicyStatement } from '../../../lib/local/iam/policy-document.ts';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/PublisherRole`;
const KEY_ID = '0b0e5f2c-7a41-4c1e-a2f3-5d6e7f809a1b';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const SIGNUPS = { topic: 'user.signed-up', field: 'email' };
const ORDERS = { topic: 'order.placed', field: 'email' };

/** The engine with one key (alias/pii) and a function `publisher` whose role has `statements`. */
async function engine(mode: IamMode, statements: PolicyStatement[]) {
  const denials: AccessDenial[] = [];
  const authorizer = new IamAuthorizer({
    mode, account: ACCOUNT, resourcePolicies: [],
    roles: [{ stackName: 'S', logicalId: 'PublisherRole', name: 'PublisherRole', arn: ROLE, policies: [{ name: 'PublisherPolicy', document: { Statement: statements } }] }],
    functions: [{ name: 'publisher', roleArn: ROLE }],
    hints: new GrantHints({
      flows: [], functions: [], tables: [], queues: [], rules: [], buses: [],
      keys: [{ stackName: 'S', logicalId: 'PiiKey', keyId: KEY_ID, arn: KEY_ARN, description: '', enabled: true }],
    }),
  });
  const f = await startEngine({
    iam: { authorizer, onAccessDenied: (d) => denials.push(d) },
    setup(e) {
      e.declareKey({ keyId: KEY_ID });
      e.declareAlias('alias/pii', KEY_ID);
    },
  });
  const config = { endpoint: f.engine.endpoint, region: f.engine.region };
  const publisher = new KMSClient({ ...config, credentials: { accessKeyId: functionAccessKeyId('publisher'), secretAccessKey: 'x' } });
  const admin = new KMSClient({ ...config, credentials: { accessKeyId: 'developer', secretAccessKey: 'x' } });
  return {
    f, publisher, admin, denials,
    async close() {
      publisher.destroy();
      admin.destroy();
      await f.close();
    },
  };
}

const generateForSignups: PolicyStatement = {
  Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY_ARN,
  Condition: { StringEquals: { 'kms:EncryptionContext:topic': 'user.signed-up' } },
};

test('a function granted kms:GenerateDataKey on the key ARN generates a data key through the alias', async (t) => {
  const e = await engine('enforce', [generateForSignups]);
  t.after(() => e.close());
  const dataKey = await e.publisher.send(new GenerateDataKeyCommand({ KeyId: 'alias/pii', KeySpec: 'AES_256', EncryptionContext: SIGNUPS }));
  assert.equal(dataKey.KeyId, KEY_ARN);
  assert.deepEqual(e.denials, []);
});

test('an encryption context the kms:EncryptionContext condition does not allow is AccessDeniedException, HTTP 400, on the key ARN', async (t) => {
  const e = await engine('enforce', [generateForSignups]);
  t.after(() => e.close());
  const error = await e.publisher.send(new GenerateDataKeyCommand({ KeyId: 'alias/pii', KeySpec: 'AES_256', EncryptionContext: ORDERS }))
    .then(() => undefined, (err: Error & { $metadata?: { httpStatusCode?: number } }) => err);
  assert.equal(error?.name, 'AccessDeniedException');
  assert.equal(error?.$metadata?.httpStatusCode, 400);
  assert.equal(error?.message, `User: arn:aws:sts::${ACCOUNT}:assumed-role/PublisherRole/publisher is not authorized to perform: kms:GenerateDataKey on resource: ${KEY_ARN} because no identity-based policy allows the kms:GenerateDataKey action`);
  assert.match(e.denials[0]!.missing, /kms:EncryptionContext:topic = "order\.placed"/);
});

test('Decrypt without KeyId is checked on the key the ciphertext names, and the fix is the key\'s grantDecrypt', async (t) => {
  const e = await engine('enforce', [generateForSignups]);
  t.after(() => e.close());
  const sealed = await e.admin.send(new EncryptCommand({ KeyId: KEY_ID, Plaintext: Buffer.from('ada@example.com'), EncryptionContext: SIGNUPS }));
  await assert.rejects(e.publisher.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: SIGNUPS })), { name: 'AccessDeniedException' });
  assert.equal(e.denials[0]!.check.resource, KEY_ARN);
  assert.match(e.denials[0]!.fix, /key PiiKey: `key\.grantDecrypt\(fn\)`/);
});

test('kms:Decrypt granted for one topic\'s context decrypts that topic\'s fields and no other\'s', async (t) => {
  const e = await engine('enforce', [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN, Condition: { StringEquals: { 'kms:EncryptionContext:topic': 'user.signed-up' } } }]);
  t.after(() => e.close());
  const signups = await e.admin.send(new EncryptCommand({ KeyId: KEY_ID, Plaintext: Buffer.from('ada@example.com'), EncryptionContext: SIGNUPS }));
  const orders = await e.admin.send(new EncryptCommand({ KeyId: KEY_ID, Plaintext: Buffer.from('bob@example.com'), EncryptionContext: ORDERS }));
  const opened = await e.publisher.send(new DecryptCommand({ CiphertextBlob: signups.CiphertextBlob, EncryptionContext: SIGNUPS }));
  assert.equal(Buffer.from(opened.Plaintext!).toString('utf8'), 'ada@example.com');
  await assert.rejects(e.publisher.send(new DecryptCommand({ CiphertextBlob: orders.CiphertextBlob, EncryptionContext: ORDERS })), { name: 'AccessDeniedException' });
});

test('in warn mode the denied call goes through and is reported as a would-be denial', async (t) => {
  const e = await engine('warn', []);
  t.after(() => e.close());
  const dataKey = await e.publisher.send(new GenerateDataKeyCommand({ KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: SIGNUPS }));
  assert.equal(dataKey.Plaintext!.length, 32);
  assert.equal(e.denials.length, 1);
  assert.equal(e.denials[0]!.enforced, false);
  assert.equal(e.denials[0]!.check.action, 'kms:GenerateDataKey');
  assert.match(e.denials[0]!.fix, /`key\.grantEncrypt\(fn\)`/);
});
