/**
 * The way from a function's main bundle to pii-crypto.ts, the module that encrypts and decrypts
 * `"x-busline-pii": "encrypt"` fields. That module (with the KMS client it loads) is bundled beside
 * index.mjs, not into it (lib/constructs/bundler.ts LAZY_RUNTIME_MODULES), and imported only the
 * first time an event of a topic with encrypted fields is published or received: functions
 * whose topics have none never load it.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { lazyClient } from './aws-clients.ts';
import { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError } from './errors.ts';
import type { PiiCrypto } from './pii-crypto.ts';
import { importRuntimeModule } from './runtime-module.ts';
import type { TopicInfo } from './subscription-config.ts';

type PiiCryptoModule = typeof import('./pii-crypto.ts');

export interface PiiEncryptionOptions {
  /** @default a client made on first use (endpoint and region from the environment) */
  readonly kmsClient?: KMSClient;
  /** The KMS key of the encrypted fields. */
  readonly keyId?: string;
}

/** The field crypto, made on first call (the module loaded then); a failed load is tried again next time. */
export function lazyPiiCrypto(options: PiiEncryptionOptions): () => Promise<PiiCrypto> {
  return lazyClient<PiiCrypto>(undefined, async () => {
    const { createPiiCrypto } = await importRuntimeModule<PiiCryptoModule>('pii-crypto');
    // The error classes of this bundle, so instanceof (NonRetryableError: DLQ, not retry) holds.
    return createPiiCrypto({ errors: { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError }, ...(options.kmsClient ? { client: options.kmsClient } : {}), ...(options.keyId ? { keyId: options.keyId } : {}) });
  });
}

/** The encrypted field paths of a topic, or undefined when it has none (the common case: no work). */
export function encryptPathsOf(info: TopicInfo | undefined): ReadonlyArray<readonly string[]> | undefined {
  const paths = info?.encryptPaths;
  return paths && paths.length > 0 ? paths : undefined;
}

/** The topics among `topics` that have encrypted fields, for "a key is needed" checks. */
export function topicsWithEncryptedFields(topics: Readonly<Record<string, TopicInfo>>, names: readonly string[]): string[] {
  return names.filter((t) => encryptPathsOf(topics[t]) !== undefined);
}
