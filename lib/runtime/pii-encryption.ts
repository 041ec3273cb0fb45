/**
 * The way from a function's main bundle to pii-crypto.ts, the module that encrypts and decrypts
 * `"x-busline-pii": "encrypt"` fields. That module (with the KMS client it loads) is bundled beside
 * index.mjs, not into it (lib/constructs/bundler.ts LAZY_RUNTIME_MODULES), and imported only the
 * first time an event of a topic with encrypted fields is published or received: functions
 * whose topics have none never load it. Also the check, at cold start, that such a function has
 * the key (checkPiiKey).
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { lazyClient } from './aws-clients.ts';
import { PiiDecryptionError, PiiEncryptionError, RuntimeOptionsError } from './errors.ts';
import type { PiiCrypto } from './pii-crypto.ts';
import { importRuntimeModule } from './runtime-module.ts';
import { encryptPathsOf, RUNTIME_ENV, type SubscriptionConfig, type TopicInfo } from './subscription-config.ts';

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

/** The topics among `topics` that have encrypted fields, for "a key is needed" checks. */
export function topicsWithEncryptedFields(topics: Readonly<Record<string, TopicInfo>>, names: readonly string[]): string[] {
  return names.filter((t) => encryptPathsOf(topics[t]) !== undefined);
}

/**
 * A publisher of topics with `"x-busline-pii": "encrypt"` fields needs the key (option > env
 * BUSLINE_PII_KEY): without one, the first such publish would fail, so the options fail now.
 */
export function checkPiiKey(where: string, topics: Readonly<Record<string, TopicInfo>>, published: readonly string[], piiKeyId: string | undefined): void {
  const encrypted = topicsWithEncryptedFields(topics, published);
  if (encrypted.length === 0) return;
  if (piiKeyId !== undefined && (typeof piiKeyId !== 'string' || piiKeyId === '')) {
    throw new RuntimeOptionsError(`${where}: piiKeyId must be a KMS key id or ARN, got ${JSON.stringify(piiKeyId)}`);
  }
  if (!piiKeyId && !process.env[RUNTIME_ENV.piiKey]) {
    throw new RuntimeOptionsError(
      `${where}: topics ${encrypted.join(', ')} have fields marked "x-busline-pii": "encrypt", and no KMS key is configured to encrypt them: pass piiKeyId, or set ${RUNTIME_ENV.piiKey} (the constructs set it on subscription functions; for other producers use the flow's piiKey ARN)`,
    );
  }
}

/**
 * The field crypto of a wrapped handler whose topics have `"x-busline-pii": "encrypt"` fields, one
 * for encrypting what it publishes and decrypting what it receives: the key checked now
 * (checkPiiKey), the crypto made on first use. wrap-handler.ts takes it as a RuntimeFeatures
 * member, which a generated entry imports only for such a subscription.
 */
export function wrapperPiiCrypto(where: string, config: SubscriptionConfig, piiKeyId: string | undefined, kmsClient: KMSClient | undefined): () => Promise<PiiCrypto> {
  checkPiiKey(where, config.topics, config.publishes, piiKeyId);
  return lazyPiiCrypto({ ...(kmsClient ? { kmsClient } : {}), ...(piiKeyId ? { keyId: piiKeyId } : {}) });
}
