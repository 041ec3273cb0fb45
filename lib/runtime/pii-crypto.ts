/**
 * Encrypting and decrypting the `"x-busline-pii": "encrypt"` fields of an event's data with KMS
 * (envelope encryption; the wire form and what binds it: pii-envelope.ts).
 *
 * Kept out of a function's index.mjs and loaded only by a function whose topics have encrypted
 * fields (lib/constructs/bundler.ts LAZY_RUNTIME_MODULES, pii-encryption.ts): the KMS client
 * and the cipher code cost the other functions nothing. The KMS client is loaded with require
 * like the runtime's other SDK clients (aws-clients.ts).
 *
 * KMS calls (AWS KMS API Reference, GenerateDataKey and Decrypt):
 *   - publish: one GenerateDataKey per event (KeySpec AES_256, EncryptionContext
 *     `{ "busline:topic": <topic> }`), none when the event has no encrypted field present;
 *   - receive: one Decrypt per distinct encrypted data key of the event (one, for events a
 *     Busline publisher wrote), with the same context and the key id when the function knows it.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { requireModule } from './aws-clients.ts';
import type { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError } from './errors.ts';
import { toError } from './errors.ts';
import { forEachAt } from './pii-values.ts';
import { encryptionContext, envelopeProblem, fieldName, isEnvelope, openValue, sealValue } from './pii-envelope.ts';

type KmsModule = typeof import('@aws-sdk/client-kms');

let kmsModule: Promise<KmsModule> | undefined;

function loadKmsModule(): Promise<KmsModule> {
  const loading = (kmsModule ??= requireModule<KmsModule>('@aws-sdk/client-kms', () => import('@aws-sdk/client-kms')));
  // A failed load is not kept: the next event tries again.
  loading.catch(() => {
    if (kmsModule === loading) kmsModule = undefined;
  });
  return loading;
}

/**
 * KMS errors that no retry can cure: the data key was encrypted under another context or key or
 * altered (InvalidCiphertextException, IncorrectKeyException), the function may not use the key
 * (AccessDeniedException), or the key is not one that decrypts (NotFoundException,
 * InvalidKeyUsageException). Anything else (throttling, KMSInternalException, a disabled key,
 * the network) may pass: the record is retried.
 */
const FINAL_DECRYPT_ERRORS = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'AccessDeniedException', 'NotFoundException', 'InvalidKeyUsageException']);

/**
 * The runtime's error classes, from the caller: this module is bundled apart from index.mjs,
 * so a class it imported would be a second copy, and `instanceof NonRetryableError` (what sends
 * a record to the DLQ rather than retrying it) would not know it.
 */
export interface PiiCryptoErrors {
  readonly PiiDecryptionError: typeof PiiDecryptionError;
  readonly PiiEncryptionError: typeof PiiEncryptionError;
  readonly RuntimeOptionsError: typeof RuntimeOptionsError;
}

export interface PiiCryptoOptions {
  readonly errors: PiiCryptoErrors;
  /** The KMS client to use; made on first use from the environment when absent. */
  readonly client?: KMSClient;
  /** The KMS key of the flow's encrypted fields (id, ARN or alias ARN): required to publish, pinned on Decrypt when given. */
  readonly keyId?: string;
}

/** Encrypts and decrypts the encrypted fields of one event's data. */
export interface PiiCrypto {
  /**
   * A copy of `data` whose fields at `paths` are replaced by envelopes; `data` itself when none of
   * them is present or all are envelopes already (no KMS call): sealing twice never wraps an
   * envelope in another. Throws PiiEncryptionError when no data key can be had.
   */
  seal(topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>): Promise<unknown>;
  /**
   * A copy of `data` whose envelopes at `paths` are replaced by their values; `data` itself when
   * it holds none. Values that are not envelopes (from a producer that does not encrypt, or from
   * before the field was marked `encrypt`) stay as they are and meet the schema as they are; their
   * fields are named in `plaintextFields`. Throws PiiDecryptionError when a field can never be
   * decrypted, the KMS error when a retry may help.
   */
  open(topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>): Promise<OpenedData>;
}

/** What open() makes of an event's data. */
export interface OpenedData {
  /** The data with its encrypted fields decrypted. */
  readonly data: unknown;
  /** The encrypted fields (as `a.b[].c`) that held a value, not an envelope: they came unencrypted. */
  readonly plaintextFields: readonly string[];
}

interface Slot {
  readonly container: Record<string, unknown>;
  readonly key: string;
  readonly path: readonly string[];
}

function slotsOf(data: unknown, paths: ReadonlyArray<readonly string[]>, keep: (value: unknown) => boolean): Slot[] {
  const slots: Slot[] = [];
  for (const path of paths) {
    forEachAt(data, path, (container, key) => {
      if (keep(container[key])) slots.push({ container, key, path });
    });
  }
  return slots;
}

export function createPiiCrypto(options: PiiCryptoOptions): PiiCrypto {
  const { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError } = options.errors;
  let client: Promise<KMSClient> | undefined = options.client ? Promise.resolve(options.client) : undefined;
  const kms = (): Promise<KMSClient> => {
    const making = (client ??= loadKmsModule().then((m) => new m.KMSClient({})));
    making.catch(() => {
      if (client === making) client = undefined;
    });
    return making;
  };

  async function seal(topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>): Promise<unknown> {
    // The copy is what goes on the wire (JSON), so the caller's object is never changed.
    const copy: unknown = JSON.parse(JSON.stringify(data));
    const slots = slotsOf(copy, paths, (value) => value !== undefined && !isEnvelope(value));
    if (slots.length === 0) return data;
    const fields = slots.map((s) => fieldName(s.path)).join(', ');
    if (!options.keyId) {
      throw new RuntimeOptionsError(`the ${topic} event has fields marked "x-busline-pii": "encrypt" (${fields}) but no KMS key is configured: set BUSLINE_PII_KEY (the constructs set it) or pass piiKeyId`);
    }
    let plaintextKey: Uint8Array;
    let encryptedKey: string;
    try {
      const [c, { GenerateDataKeyCommand }] = await Promise.all([kms(), loadKmsModule()]);
      const out = await c.send(new GenerateDataKeyCommand({ KeyId: options.keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext(topic) }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('GenerateDataKey returned no data key');
      plaintextKey = out.Plaintext;
      encryptedKey = Buffer.from(out.CiphertextBlob).toString('base64');
    } catch (thrown) {
      const error = toError(thrown);
      throw new PiiEncryptionError(`could not get a data key from KMS key ${options.keyId} for the encrypted fields (${fields}) of the ${topic} event: ${error.name}: ${error.message}; nothing was published`, { cause: error });
    }
    try {
      for (const s of slots) s.container[s.key] = sealValue(plaintextKey, encryptedKey, topic, s.path, s.container[s.key]);
    } finally {
      // The plaintext data key served this one event: wipe it.
      plaintextKey.fill(0);
    }
    return copy;
  }

  async function open(topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>): Promise<OpenedData> {
    const present = slotsOf(data, paths, (value) => value !== undefined);
    const plaintextFields = present.filter((s) => !isEnvelope(s.container[s.key])).map((s) => fieldName(s.path));
    if (plaintextFields.length === present.length) return { data, plaintextFields };
    // The record keeps the event as delivered (ciphertext); the handler gets the decrypted copy.
    const copy = structuredClone(data);
    const slots = slotsOf(copy, paths, isEnvelope);
    for (const s of slots) {
      const problem = envelopeProblem(s.container[s.key] as Record<string, unknown>);
      if (problem) throw new PiiDecryptionError(`the encrypted field ${fieldName(s.path)} of the ${topic} event cannot be decrypted: ${problem}`, fieldName(s.path), 'MalformedEnvelope');
    }
    const keys = new Map<string, Promise<Uint8Array>>();
    const dataKey = (s: Slot): Promise<Uint8Array> => {
      const blob = (s.container[s.key] as Record<string, string>).key!;
      let key = keys.get(blob);
      if (!key) {
        key = decryptKey(topic, blob, s.path);
        keys.set(blob, key);
      }
      return key;
    };
    const plaintextKeys = await Promise.all(slots.map(dataKey));
    try {
      slots.forEach((s, i) => {
        try {
          s.container[s.key] = openValue(plaintextKeys[i]!, topic, s.path, s.container[s.key] as Record<string, unknown>);
        } catch (thrown) {
          throw new PiiDecryptionError(
            `the encrypted field ${fieldName(s.path)} of the ${topic} event cannot be decrypted: AES-GCM authentication failed (the ciphertext was altered, or the envelope belongs to another field or topic)`,
            fieldName(s.path),
            'AuthenticationFailed',
            { cause: thrown },
          );
        }
      });
    } finally {
      for (const k of new Set(plaintextKeys)) k.fill(0);
    }
    return { data: copy, plaintextFields };
  }

  async function decryptKey(topic: string, blob: string, path: readonly string[]): Promise<Uint8Array> {
    const [c, { DecryptCommand }] = await Promise.all([kms(), loadKmsModule()]);
    try {
      const out = await c.send(new DecryptCommand({
        CiphertextBlob: Buffer.from(blob, 'base64'),
        EncryptionContext: encryptionContext(topic),
        ...(options.keyId ? { KeyId: options.keyId } : {}),
      }));
      if (!out.Plaintext) throw new Error('Decrypt returned no plaintext');
      return out.Plaintext;
    } catch (thrown) {
      const error = toError(thrown);
      if (!FINAL_DECRYPT_ERRORS.has(error.name)) throw error;
      throw new PiiDecryptionError(
        `the encrypted field ${fieldName(path)} of the ${topic} event cannot be decrypted: KMS refused its data key (${error.name}${error.message ? `: ${error.message}` : ''}); a wrong encryption context, another key, or no kms:Decrypt for this topic`,
        fieldName(path),
        error.name,
        { cause: error },
      );
    }
  }

  return { seal, open };
}
