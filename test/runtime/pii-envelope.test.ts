/**
 * The wire form of an `"x-busline-pii": "encrypt"` field (lib/runtime/pii-envelope.ts): AES-256-GCM
 * of the value's JSON text under a 32-byte data key, the field and topic bound as additional
 * authenticated data, the KMS-encrypted data key carried along. These tests use a local random
 * key (no KMS); the KMS round trip is in pii-encryption-wire.test.ts.
 *
 * The data key is what GenerateDataKey returns with KeySpec AES_256: "a unique symmetric data
 * key", 256 bits (AWS KMS API Reference, GenerateDataKey,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ENVELOPE_MARK, envelopeProblem, isEnvelope, openValue, sealValue } from '../../lib/runtime/pii-envelope.ts';

const dataKey = randomBytes(32);
const KEY_BLOB = Buffer.from('the data key as KMS encrypted it').toString('base64');

test('an envelope is a JSON object with the format version, the encrypted data key, iv, tag and ciphertext, all base64', () => {
  const envelope = sealValue(dataKey, KEY_BLOB, 'customer.registered', ['email'], 'ada@example.com');
  assert.deepEqual(Object.keys(envelope).sort(), [ENVELOPE_MARK, 'ciphertext', 'iv', 'key', 'tag'].sort());
  assert.equal(envelope[ENVELOPE_MARK], 1);
  assert.equal(envelope.key, KEY_BLOB);
  assert.equal(Buffer.from(envelope.iv, 'base64').length, 12);
  assert.equal(Buffer.from(envelope.tag, 'base64').length, 16);
  assert.equal(envelopeProblem(envelope), undefined);
  assert.doesNotMatch(JSON.stringify(envelope), /ada@example\.com/);
});

test('any JSON value comes back as it was: strings, numbers, objects, arrays', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const envelope = sealValue(dataKey, KEY_BLOB, 't', ['f'], value);
      assert.deepEqual(openValue(dataKey, 't', ['f'], envelope), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 200 },
  );
});

test('two fields sealed with the same data key get different ivs and ciphertexts', () => {
  const a = sealValue(dataKey, KEY_BLOB, 't', ['f'], 'same');
  const b = sealValue(dataKey, KEY_BLOB, 't', ['f'], 'same');
  assert.notEqual(a.iv, b.iv);
  assert.notEqual(a.ciphertext, b.ciphertext);
});

test('an envelope moved to another field does not open: the field path is authenticated', () => {
  const envelope = sealValue(dataKey, KEY_BLOB, 'customer.registered', ['email'], 'ada@example.com');
  assert.throws(() => openValue(dataKey, 'customer.registered', ['phone'], envelope));
});

test('an envelope moved to another topic does not open: the topic is authenticated', () => {
  const envelope = sealValue(dataKey, KEY_BLOB, 'customer.registered', ['email'], 'ada@example.com');
  assert.throws(() => openValue(dataKey, 'customer.welcomed', ['email'], envelope));
});

test('an altered ciphertext, iv or tag does not open', () => {
  const envelope = sealValue(dataKey, KEY_BLOB, 't', ['f'], 'ada@example.com');
  for (const name of ['ciphertext', 'iv', 'tag'] as const) {
    const bytes = Buffer.from(envelope[name], 'base64');
    bytes[0]! ^= 1;
    assert.throws(() => openValue(dataKey, 't', ['f'], { ...envelope, [name]: bytes.toString('base64') }), name);
  }
});

test('another data key does not open it', () => {
  const envelope = sealValue(dataKey, KEY_BLOB, 't', ['f'], 'x');
  assert.throws(() => openValue(randomBytes(32), 't', ['f'], envelope));
});

test('a data key that is not 32 bytes is refused (AES-256 only)', () => {
  assert.throws(() => sealValue(randomBytes(16), KEY_BLOB, 't', ['f'], 'x'), RangeError);
});

test('an object carrying the mark is an envelope; plain values and other objects are not', () => {
  assert.equal(isEnvelope({ [ENVELOPE_MARK]: 1 }), true);
  for (const v of ['ada@example.com', 42, null, [], { email: 'x' }]) assert.equal(isEnvelope(v), false, JSON.stringify(v));
});

test('a malformed envelope is named before any key is asked for: unknown version, missing or non-base64 parts, wrong iv or tag length', () => {
  const good = sealValue(dataKey, KEY_BLOB, 't', ['f'], 'x');
  assert.match(envelopeProblem({ ...good, [ENVELOPE_MARK]: 2 })!, /version 2/);
  assert.match(envelopeProblem({ ...good, key: undefined })!, /key is not base64/);
  assert.match(envelopeProblem({ ...good, ciphertext: 'not base64!' })!, /ciphertext is not base64/);
  assert.match(envelopeProblem({ ...good, iv: Buffer.alloc(8).toString('base64') })!, /iv is not 12 bytes/);
  assert.match(envelopeProblem({ ...good, tag: Buffer.alloc(4).toString('base64') })!, /tag is not 16 bytes/);
});

test('checking any object with the mark never throws: it names a problem or accepts it (untrusted input)', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(ENVELOPE_MARK, 'key', 'iv', 'tag', 'ciphertext', 'x'), fc.jsonValue()), (obj) => {
      const problem = envelopeProblem({ [ENVELOPE_MARK]: 1, ...obj });
      assert.ok(problem === undefined || typeof problem === 'string');
    }),
    { numRuns: 300 },
  );
});
