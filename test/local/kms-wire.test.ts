/**
 * KMS over the wire (JSON 1.1, `X-Amz-Target: TrentService.<Op>`): the calls envelope encryption
 * needs (GenerateDataKey, Encrypt, Decrypt) and the ones that make keys (CreateKey, DescribeKey,
 * CreateAlias, ListAliases, DisableKey / EnableKey), driven with @aws-sdk/client-kms against the
 * local engine and, for every case moto does as AWS does, against moto_server too (so a case that
 * passes there checks the case itself, not only the engine).
 *
 * The rules, from the AWS KMS API Reference (https://docs.aws.amazon.com/kms/latest/APIReference/):
 * - GenerateDataKey (API_GenerateDataKey.html): KeyId is a key id, key ARN, alias name or alias
 *   ARN; "You must specify either the KeySpec or the NumberOfBytes parameter (but not both)";
 *   KeySpec AES_256 | AES_128, NumberOfBytes 1–1024; the answer's KeyId is the key ARN, with
 *   CiphertextBlob and Plaintext (base64 on the wire).
 * - Encrypt (API_Encrypt.html): "Encrypts plaintext of up to 4,096 bytes"; "If you specify an
 *   EncryptionContext when encrypting data, you must specify the same encryption context (a
 *   case-sensitive exact match) when decrypting the data. Otherwise, the request to decrypt fails
 *   with an InvalidCiphertextException."
 * - Decrypt (API_Decrypt.html): KeyId is optional for symmetric keys; IncorrectKeyException: "The
 *   KeyId in a Decrypt request … must identify the same KMS key that was used to encrypt the
 *   ciphertext"; InvalidCiphertextException: the ciphertext or its encryption context "is
 *   corrupted, missing, or otherwise invalid".
 * - DisabledException: "The request was rejected because the specified KMS key is not enabled."
 * - NotFoundException: "The request was rejected because the specified entity or resource could
 *   not be found."
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand,
  EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient, ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { conformanceTargets, type ConformanceTarget } from './support/conformance-targets.ts';
import { awsError } from './support/eventbridge-targets.ts';

type Target = ConformanceTarget<KMSClient>;

const targets = conformanceTargets({ clients: (config) => new KMSClient(config), destroy: (kms) => kms.destroy() });
const scenario = targets.scenario;
let n = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++n}`;

async function newKey(t: Target, description = 'kms-wire test key'): Promise<{ keyId: string; arn: string }> {
  const { KeyMetadata } = await t.clients.send(new CreateKeyCommand({ Description: description, KeyUsage: 'ENCRYPT_DECRYPT' }));
  return { keyId: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
}

const CONTEXT = { topic: 'user.signed-up', field: 'email' };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

scenario('GenerateDataKey with KeySpec AES_256 answers a 32-byte data key, its ciphertext and the key ARN; Decrypt with the same context gives the data key back', { moto: true }, async (t) => {
  const key = await newKey(t);
  const dataKey = await t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
  assert.equal(dataKey.Plaintext!.length, 32);
  assert.equal(dataKey.KeyId, key.arn);
  assert.ok(dataKey.CiphertextBlob!.length > 0);
  const opened = await t.clients.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: CONTEXT }));
  assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(dataKey.Plaintext!));
  assert.equal(opened.KeyId, key.arn);
});

scenario('GenerateDataKey names the key by key id, key ARN, alias name or alias ARN, and answers the key ARN each time', { moto: true }, async (t) => {
  const key = await newKey(t);
  const alias = `alias/${unique('data-keys')}`;
  await t.clients.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
  const aliasArn = `arn:aws:kms:us-east-1:${t.account}:${alias}`;
  for (const keyId of [key.keyId, key.arn, alias, aliasArn]) {
    const dataKey = await t.clients.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    assert.equal(dataKey.KeyId, key.arn, `KeyId ${keyId}`);
  }
});

scenario('GenerateDataKey makes a 16-byte key for AES_128 and NumberOfBytes bytes for NumberOfBytes', { moto: true }, async (t) => {
  const key = await newKey(t);
  assert.equal((await t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_128' }))).Plaintext!.length, 16);
  assert.equal((await t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 64 }))).Plaintext!.length, 64);
  assert.equal((await t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 1024 }))).Plaintext!.length, 1024);
});

scenario('GenerateDataKey without KeySpec or NumberOfBytes is a ValidationException', { moto: true }, async (t) => {
  const key = await newKey(t);
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId })), awsError('ValidationException'));
});

scenario('GenerateDataKey with both KeySpec and NumberOfBytes is a ValidationException', { moto: true }, async (t) => {
  const key = await newKey(t);
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), awsError('ValidationException'));
});

scenario('GenerateDataKey with NumberOfBytes outside 1–1024 is a ValidationException', { moto: true }, async (t) => {
  const key = await newKey(t);
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 1025 })), awsError('ValidationException'));
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 0 })), awsError('ValidationException'));
});

scenario('GenerateDataKeyWithoutPlaintext answers only the ciphertext, which Decrypt opens', { moto: true }, async (t) => {
  const key = await newKey(t);
  const dataKey = await t.clients.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
  assert.equal((dataKey as { Plaintext?: unknown }).Plaintext, undefined);
  const opened = await t.clients.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: CONTEXT }));
  assert.equal(opened.Plaintext!.length, 32);
});

scenario('Encrypt then Decrypt gives the plaintext back, with the context given in any order', { moto: true }, async (t) => {
  const key = await newKey(t);
  const sealed = await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('ada@example.com'), EncryptionContext: { a: '1', b: '2' } }));
  assert.equal(sealed.KeyId, key.arn);
  const opened = await t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { b: '2', a: '1' } }));
  assert.equal(Buffer.from(opened.Plaintext!).toString('utf8'), 'ada@example.com');
});

scenario('Decrypt with an encryption context other than the one encrypted with is an InvalidCiphertextException', { moto: true }, async (t) => {
  const key = await newKey(t);
  const sealed = await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('secret'), EncryptionContext: CONTEXT }));
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { ...CONTEXT, field: 'phone' } })), awsError('InvalidCiphertextException'));
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { ...CONTEXT, topic: 'User.Signed-Up' } })), awsError('InvalidCiphertextException'));
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), awsError('InvalidCiphertextException'));
});

// moto answers AccessDeniedException here; AWS answers IncorrectKeyException (API_Decrypt.html,
// Errors: "The KeyId in a Decrypt request … must identify the same KMS key that was used to
// encrypt the ciphertext").
scenario('Decrypt with the KeyId of another key than the one that encrypted is an IncorrectKeyException', { moto: false }, async (t) => {
  const key = await newKey(t);
  const other = await newKey(t);
  const sealed = await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('secret') }));
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: other.keyId })), awsError('IncorrectKeyException'));
  const opened = await t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: key.arn }));
  assert.equal(Buffer.from(opened.Plaintext!).toString('utf8'), 'secret');
});

scenario('Decrypt of bytes no key encrypted is an InvalidCiphertextException', { moto: true }, async (t) => {
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: bytes('not a ciphertext blob at all, just some bytes of text') })), awsError('InvalidCiphertextException'));
});

scenario('Decrypt of a ciphertext with one byte changed is an InvalidCiphertextException', { moto: true }, async (t) => {
  const key = await newKey(t);
  const sealed = Buffer.from((await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('secret') }))).CiphertextBlob!);
  sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 0x01, sealed.length - 1);
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed })), awsError('InvalidCiphertextException'));
});

scenario('Encrypt takes up to 4,096 bytes; 4,097 is a ValidationException', { moto: true }, async (t) => {
  const key = await newKey(t);
  await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: new Uint8Array(4096).fill(7) }));
  await assert.rejects(t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: new Uint8Array(4097).fill(7) })), awsError('ValidationException'));
});

scenario('the ciphertext does not hold the plaintext', { moto: true }, async (t) => {
  const key = await newKey(t);
  const secret = `pii-${unique('value')}`;
  const sealed = await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes(secret), EncryptionContext: CONTEXT }));
  const blob = Buffer.from(sealed.CiphertextBlob!);
  assert.ok(!blob.includes(Buffer.from(secret)), 'plaintext bytes in the blob');
  assert.ok(!blob.toString('base64').includes(Buffer.from(secret).toString('base64')), 'base64 plaintext in the blob');
});

scenario('a key id, key ARN or alias that names no key is a NotFoundException', { moto: true }, async (t) => {
  const missing = '11111111-2222-3333-4444-555555555555';
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: missing, KeySpec: 'AES_256' })), awsError('NotFoundException'));
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${t.account}:key/${missing}`, KeySpec: 'AES_256' })), awsError('NotFoundException'));
  await assert.rejects(t.clients.send(new EncryptCommand({ KeyId: `alias/${unique('nothing')}`, Plaintext: bytes('x') })), awsError('NotFoundException'));
  await assert.rejects(t.clients.send(new DescribeKeyCommand({ KeyId: missing })), awsError('NotFoundException'));
});

// moto encrypts, generates data keys and decrypts with a disabled key; AWS refuses:
// DisabledException is among the errors of Encrypt, GenerateDataKey and Decrypt (API_Encrypt.html,
// API_GenerateDataKey.html, API_Decrypt.html: "The request was rejected because the specified KMS
// key is not enabled").
scenario('a disabled key refuses Encrypt, GenerateDataKey and Decrypt with DisabledException until it is enabled again', { moto: false }, async (t) => {
  const key = await newKey(t);
  const sealed = await t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('secret') }));
  await t.clients.send(new DisableKeyCommand({ KeyId: key.keyId }));
  assert.equal((await t.clients.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!.KeyState, 'Disabled');
  await assert.rejects(t.clients.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: bytes('x') })), awsError('DisabledException'));
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' })), awsError('DisabledException'));
  await assert.rejects(t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), awsError('DisabledException'));
  await t.clients.send(new EnableKeyCommand({ KeyId: key.keyId }));
  assert.equal(Buffer.from((await t.clients.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext!).toString('utf8'), 'secret');
});

scenario('DescribeKey describes a symmetric encryption key: its ARN, state, spec, usage and description', { moto: true }, async (t) => {
  const key = await newKey(t, 'PII fields of signups');
  const { KeyMetadata: m } = await t.clients.send(new DescribeKeyCommand({ KeyId: key.arn }));
  assert.equal(m!.KeyId, key.keyId);
  assert.equal(m!.Arn, `arn:aws:kms:us-east-1:${t.account}:key/${key.keyId}`);
  assert.equal(m!.AWSAccountId, t.account);
  assert.equal(m!.Enabled, true);
  assert.equal(m!.KeyState, 'Enabled');
  assert.equal(m!.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.equal(m!.KeyUsage, 'ENCRYPT_DECRYPT');
  assert.equal(m!.Description, 'PII fields of signups');
  assert.ok(m!.CreationDate instanceof Date);
});

scenario('CreateAlias of a name that exists is an AlreadyExistsException; ListAliases for the key lists the alias', { moto: true }, async (t) => {
  const key = await newKey(t);
  const alias = `alias/${unique('listed')}`;
  await t.clients.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.arn }));
  await assert.rejects(t.clients.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId })), awsError('AlreadyExistsException'));
  const { Aliases } = await t.clients.send(new ListAliasesCommand({ KeyId: key.keyId }));
  const listed = Aliases!.find((a) => a.AliasName === alias);
  assert.ok(listed, `${alias} listed`);
  assert.equal(listed.TargetKeyId, key.keyId);
  assert.equal(listed.AliasArn, `arn:aws:kms:us-east-1:${t.account}:${alias}`);
});

// moto creates it; AWS refuses: "The alias name for a customer managed key cannot begin with
// alias/aws/. The alias/aws/ prefix is reserved for AWS managed key" ("Create aliases", AWS KMS
// developer guide, https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html). The
// guide does not name the error; the engine answers NotAuthorizedException, an authorization
// refusal, as AWS does for an AWS managed key's alias.
scenario('CreateAlias under the reserved prefix alias/aws/ is refused with NotAuthorizedException', { moto: false }, async (t) => {
  const key = await newKey(t);
  await assert.rejects(t.clients.send(new CreateAliasCommand({ AliasName: `alias/aws/${unique('mine')}`, TargetKeyId: key.keyId })), awsError('NotAuthorizedException'));
});

// moto ignores DryRun. AWS: "Checks if your request will succeed" (the DryRun parameter of
// Encrypt, Decrypt and GenerateDataKey; "Testing your permissions", AWS KMS developer guide,
// https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html), answered with
// DryRunOperationException, HTTP 412 in the KMS service model (@aws-sdk/client-kms).
scenario('DryRun: GenerateDataKey answers DryRunOperationException (HTTP 412) when it would succeed, and its real error when it would not', { moto: false }, async (t) => {
  const key = await newKey(t);
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', DryRun: true })), awsError('DryRunOperationException', undefined, 412));
  await assert.rejects(t.clients.send(new GenerateDataKeyCommand({ KeyId: `alias/${unique('nothing')}`, KeySpec: 'AES_256', DryRun: true })), awsError('NotFoundException'));
});

// Engine only: moto keeps its keys in memory; this is the engine's own durability (keys and their
// secrets live in the state folder), which AWS has by nature.
test('a data key generated before a restart decrypts after it, through the same alias [engine]', async () => {
  const before = targets.onEngine();
  const key = await newKey(before);
  const alias = `alias/${unique('durable')}`;
  await before.clients.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
  const dataKey = await before.clients.send(new GenerateDataKeyCommand({ KeyId: alias, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
  const after = await targets.restartEngine();
  const opened = await after.clients.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: alias }));
  assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(dataKey.Plaintext!));
});
