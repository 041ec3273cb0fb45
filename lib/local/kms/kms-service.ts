/**
 * KMS's cryptographic operations on the engine's keys (kms-keys.ts), with the rules of the AWS KMS
 * API Reference (https://docs.aws.amazon.com/kms/latest/APIReference/):
 * - Encrypt seals up to 4,096 bytes (API_Encrypt.html); GenerateDataKey makes a random data key of
 *   KeySpec AES_256 / AES_128 or NumberOfBytes 1–1,024, exactly one of them, and returns it in
 *   plaintext and sealed (API_GenerateDataKey.html).
 * - Decrypt needs no KeyId for a symmetric key (the blob names its key); a KeyId that is not the
 *   blob's key is IncorrectKeyException; a context that is not exactly the one used to encrypt
 *   (or a blob the engine did not make) is InvalidCiphertextException (API_Decrypt.html).
 * - A disabled key refuses every cryptographic operation with DisabledException.
 * The answers name the key by its ARN (`KeyId`) and the algorithm `SYMMETRIC_DEFAULT`.
 */
import { randomBytes } from 'node:crypto';
import { readBlob, seal, type EncryptionContext } from './ciphertext.ts';
import { KmsError } from './kms-errors.ts';
import type { KmsKey, KmsKeys } from './kms-keys.ts';

export const MAX_PLAINTEXT_BYTES = 4096;
export const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

export interface Sealed {
  readonly ciphertext: Buffer;
  readonly key: KmsKey;
}

export interface Opened {
  readonly plaintext: Buffer;
  readonly key: KmsKey;
}

export class KmsService {
  constructor(readonly keys: KmsKeys) {}

  encrypt(keyIdentifier: string, plaintext: Buffer, context: EncryptionContext): Sealed {
    const key = this.usableKey(keyIdentifier);
    return { ciphertext: seal(key.keyId, key.secret, plaintext, context), key };
  }

  /** A fresh random data key, in plaintext and sealed under the key. */
  generateDataKey(keyIdentifier: string, bytes: number, context: EncryptionContext): Sealed & { readonly plaintext: Buffer } {
    const plaintext = randomBytes(bytes);
    return { ...this.encrypt(keyIdentifier, plaintext, context), plaintext };
  }

  decrypt(ciphertext: Buffer, context: EncryptionContext, keyIdentifier?: string): Opened {
    const requested = keyIdentifier !== undefined ? this.keys.key(keyIdentifier) : undefined;
    const blob = readBlob(ciphertext);
    const key = blob && this.keys.byKeyId(blob.keyId);
    if (requested && key && requested.keyId !== key.keyId) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    if (!blob || !key) throw invalidCiphertext();
    usable(key);
    const plaintext = blob.open(key.secret, context);
    if (!plaintext) throw invalidCiphertext();
    return { plaintext, key };
  }

  /** The key a ciphertext names, when it is one of the engine's (IAM checks Decrypt on it). */
  keyOfCiphertext(ciphertext: Buffer): KmsKey | undefined {
    const blob = readBlob(ciphertext);
    return blob && this.keys.byKeyId(blob.keyId);
  }

  private usableKey(keyIdentifier: string): KmsKey {
    return usable(this.keys.key(keyIdentifier));
  }
}

function usable(key: KmsKey): KmsKey {
  if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  return key;
}

function invalidCiphertext(): KmsError {
  // AWS says no more than this: which of blob, key or context was wrong stays hidden.
  return new KmsError('InvalidCiphertextException', 'The ciphertext could not be decrypted: it was not made by a key of this engine, was changed, or the encryption context is not the one it was encrypted with.');
}
