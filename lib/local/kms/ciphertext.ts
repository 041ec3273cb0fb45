/**
 * The engine's ciphertext blob: an opaque envelope that names the key and seals the data with
 * AES-256-GCM under that key's secret, the encryption context bound as additional authenticated
 * data. AWS KMS's own format is not documented; what is ("Encryption context", AWS KMS developer
 * guide, https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html) holds: the
 * blob says which key made it (Decrypt needs no KeyId), and only the same key with the same context
 * (an exact, case-sensitive match, in any order) opens it. The plaintext is never in the blob.
 *
 *   "BLK" 0x01 | key id length (1 byte) | key id (UTF-8) | IV (12) | GCM tag (16) | encrypted data
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from([0x42, 0x4c, 0x4b, 0x01]);
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type EncryptionContext = Readonly<Record<string, string>>;

/** What a blob says before it is opened: the key that sealed it. */
export interface SealedBlob {
  readonly keyId: string;
  open(secret: Buffer, context: EncryptionContext): Buffer | undefined;
}

export function seal(keyId: string, secret: Buffer, plaintext: Buffer, context: EncryptionContext): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length > 255) throw new RangeError(`key id too long for a ciphertext blob: ${keyId}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(additionalData(keyId, context));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), data]);
}

/** The blob's parts, or undefined when it is not a blob the engine made. */
export function readBlob(blob: Buffer): SealedBlob | undefined {
  if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const idLength = blob[MAGIC.length]!;
  const idStart = MAGIC.length + 1;
  const ivStart = idStart + idLength;
  const tagStart = ivStart + IV_BYTES;
  const dataStart = tagStart + TAG_BYTES;
  if (blob.length < dataStart) return undefined;
  const keyId = blob.subarray(idStart, ivStart).toString('utf8');
  return {
    keyId,
    open(secret, context) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, blob.subarray(ivStart, tagStart));
        decipher.setAAD(additionalData(keyId, context));
        decipher.setAuthTag(blob.subarray(tagStart, dataStart));
        return Buffer.concat([decipher.update(blob.subarray(dataStart)), decipher.final()]);
      } catch {
        return undefined;
      }
    },
  };
}

/** The key id and the context's pairs in key order: the same context in any order gives the same bytes. */
function additionalData(keyId: string, context: EncryptionContext): Buffer {
  const pairs = Object.keys(context).sort().map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify([keyId, pairs]), 'utf8');
}
