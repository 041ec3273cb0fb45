/**
 * The wire form of a field marked `"x-busline-pii": "encrypt"` (lib/schema/pii.ts): the field's
 * value is replaced by this JSON object (envelope encryption: the value is encrypted with a data
 * key, the data key with the flow's KMS key):
 *
 *     {
 *       "busline:encrypted": 1,      // format version; an object with this key is an envelope
 *       "key": "AQIDAHh…",           // the data key as KMS encrypted it: GenerateDataKey's
 *                                    //   CiphertextBlob, base64
 *       "iv": "3q2+7wAAAAAAAAAA",    // AES-GCM nonce, 12 random bytes, base64
 *       "tag": "…",                  // AES-GCM authentication tag, 16 bytes, base64
 *       "ciphertext": "…"            // AES-256-GCM of the value's JSON text (UTF-8), base64
 *     }
 *
 * What binds the ciphertext to where it belongs:
 *   - the KMS encryption context `{ "busline:topic": <detail-type> }` of the data key: Decrypt
 *     with another topic fails (InvalidCiphertextException), and key policies and IAM can allow
 *     the key per topic (`kms:EncryptionContext:busline:topic`);
 *   - the AES-GCM additional authenticated data, the JSON text `["busline:pii",1,<topic>,<field
 *     path>]` (path segments as in the schema, `"*"` for array items): an envelope moved to
 *     another field or topic, or its ciphertext, iv or tag altered, fails authentication.
 *
 * One data key per event, shared by the event's encrypted fields (each with its own random iv):
 * one KMS call to publish and one to receive, whatever the number of fields. The data key is
 * used for that one event only and never cached. The value's JSON text is what is encrypted, so
 * strings, numbers, objects and arrays come back as they were.
 *
 * Not bound: the event. An envelope copied whole into another event of the same topic, same
 * field, decrypts there (replay and redrive tools that rewrite metadata keep working).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The key that marks an envelope, whose value is the format version. */
export const ENVELOPE_MARK = 'busline:encrypted';
export const ENVELOPE_VERSION = 1;
/** The KMS encryption context key naming the topic (IAM: `kms:EncryptionContext:busline:topic`). */
export const TOPIC_CONTEXT_KEY = 'busline:topic';

export interface PiiEnvelope {
  readonly [ENVELOPE_MARK]: typeof ENVELOPE_VERSION;
  /** GenerateDataKey's CiphertextBlob, base64. */
  readonly key: string;
  /** 12 bytes, base64. */
  readonly iv: string;
  /** 16 bytes, base64. */
  readonly tag: string;
  /** base64 */
  readonly ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The KMS encryption context of a topic's data keys. */
export function encryptionContext(topic: string): Record<string, string> {
  return { [TOPIC_CONTEXT_KEY]: topic };
}

/** Dotted form of a field path, as errors and the AAD name it (`lines.*.card`). */
export function fieldName(path: readonly string[]): string {
  return path.join('.');
}

/** The AES-GCM additional authenticated data of a field: the format, the topic and the field path. */
function aad(topic: string, path: readonly string[]): Buffer {
  // JSON: no separator inside a topic or a path segment can make two fields look alike.
  return Buffer.from(JSON.stringify(['busline:pii', ENVELOPE_VERSION, topic, path]), 'utf8');
}

/** true when `value` is an object carrying the envelope mark (its format is checked by {@link openValue}). */
export function isEnvelope(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, ENVELOPE_MARK);
}

/** Encrypts `value` (its JSON text) with a 32-byte data key into an envelope carrying `encryptedKey`. */
export function sealValue(dataKey: Uint8Array, encryptedKey: string, topic: string, path: readonly string[], value: unknown): PiiEnvelope {
  if (dataKey.length !== DATA_KEY_BYTES) throw new RangeError(`a data key of ${DATA_KEY_BYTES} bytes is needed (AES_256), got ${dataKey.length}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(topic, path));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    [ENVELOPE_MARK]: ENVELOPE_VERSION,
    key: encryptedKey,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Why an envelope is refused before any key is asked for; undefined when its format is right. */
export function envelopeProblem(received: PiiEnvelope | Readonly<Record<string, unknown>>): string | undefined {
  const envelope = received as Readonly<Record<string, unknown>>;
  const version = envelope[ENVELOPE_MARK];
  if (version !== ENVELOPE_VERSION) return `envelope version ${JSON.stringify(version)} is not one this runtime reads (${ENVELOPE_VERSION}): upgrade the subscriber`;
  for (const name of ['key', 'iv', 'tag', 'ciphertext'] as const) {
    const v = envelope[name];
    if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0) return `envelope field ${name} is not base64 text`;
  }
  if (Buffer.from(envelope.iv as string, 'base64').length !== IV_BYTES) return `envelope iv is not ${IV_BYTES} bytes`;
  if (Buffer.from(envelope.tag as string, 'base64').length !== TAG_BYTES) return `envelope tag is not ${TAG_BYTES} bytes`;
  if ((envelope.key as string).length === 0) return 'envelope key is empty';
  return undefined;
}

/**
 * The value an envelope holds (checked with {@link envelopeProblem} first), with the data key
 * KMS decrypted from `envelope.key`. Throws when AES-GCM authentication fails: the ciphertext,
 * iv or tag were altered, or the envelope belongs to another field or topic.
 */
export function openValue(dataKey: Uint8Array, topic: string, path: readonly string[], received: PiiEnvelope | Readonly<Record<string, unknown>>): unknown {
  const envelope = received as Readonly<Record<string, unknown>>;
  const decipher = createDecipheriv(ALGORITHM, dataKey, Buffer.from(envelope.iv as string, 'base64'), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(Buffer.from(envelope.tag as string, 'base64'));
  decipher.setAAD(aad(topic, path));
  const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext as string, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
