/**
 * The contract between the constructs (which bake it into each function's bundle at
 * build time) and the runtime (which reads it at cold start). Static facts live here;
 * names that only exist after deployment (bus, queue URL, table) come from the
 * environment variables in {@link RUNTIME_ENV}.
 */
export type DeliveryMode = 'queue' | 'ordered' | 'direct';

export interface RetryConfig {
  /**
   * Attempts before the runtime sends the event to the DLQ with its reason, counted by the
   * runtime (untried receives do not count); for direct delivery also 1 + Lambda's async retries.
   */
  readonly maxAttempts: number;
  /** Backoff delay before retry n is min(max, base × 2^(n−1)), with full jitter. */
  readonly backoffBaseSeconds: number;
  readonly backoffMaxSeconds: number;
}

export interface DedupeConfig {
  /** Path in `data` whose value is the dedupe key; default: metadata.id, else the EventBridge id. */
  readonly keyPath?: string;
  /** How long a COMPLETED record suppresses duplicates. */
  readonly ttlSeconds: number;
}

export interface TopicInfo {
  /** EventBridge `source` of the topic's events. */
  readonly source: string;
  /** Newest schema version; publishers stamp it into metadata.schemaVersion. */
  readonly latestVersion: number;
  /**
   * Paths in `data` of the fields any schema version marks `"x-busline-pii"` (lib/schema/pii.ts),
   * `'*'` for every array item: their values are masked in logs and DLQ attributes.
   * @default - no PII fields
   */
  readonly piiPaths?: ReadonlyArray<readonly string[]>;
  /**
   * Paths in `data` of the fields any schema version marks `"x-busline-pii": "encrypt"` (also in
   * `piiPaths`): publishers encrypt them with a KMS data key (pii-envelope.ts), subscribers
   * decrypt them before validation. The key is in env {@link RUNTIME_ENV}.piiKey.
   * @default - no encrypted fields
   */
  readonly encryptPaths?: ReadonlyArray<readonly string[]>;
}

/** The encrypted field paths of a topic, or undefined when it has none (the common case: no work). */
export function encryptPathsOf(info: TopicInfo | undefined): ReadonlyArray<readonly string[]> | undefined {
  const paths = info?.encryptPaths;
  return paths && paths.length > 0 ? paths : undefined;
}

export interface SubscriptionConfig {
  readonly flow: string;
  readonly subscription: string;
  readonly delivery: DeliveryMode;
  /** Topics (detail-types) this subscription consumes. */
  readonly consumes: readonly string[];
  /** Topics the handler may publish with ctx.publish. */
  readonly publishes: readonly string[];
  /** Every topic named in consumes or publishes. */
  readonly topics: Readonly<Record<string, TopicInfo>>;
  readonly retry: RetryConfig;
  /** false when the subscription opted out of dedupe. */
  readonly dedupe: DedupeConfig | false;
  /**
   * Schema versions of each consumed topic the subscription accepts; an event of another
   * version goes to the DLQ with the reason. Absent: every version the bundle has a validator for.
   */
  readonly acceptsVersions?: Readonly<Record<string, readonly number[]>>;
}

/** Environment variables the constructs set on every subscription function. */
export const RUNTIME_ENV = {
  /** Name of the flow's event bus (PutEvents target). */
  busName: 'BUSLINE_BUS_NAME',
  /** URL of the subscription's dead-letter queue. */
  dlqUrl: 'BUSLINE_DLQ_URL',
  /** Name of the flow's dedupe table: dedupe records, and the count of each record's failed attempts (also with dedupe off). */
  dedupeTable: 'BUSLINE_DEDUPE_TABLE',
  /**
   * ARN of the KMS key of the flow's `"x-busline-pii": "encrypt"` fields: set on functions that
   * publish or consume such a topic (publishers need it for GenerateDataKey; subscribers pass it
   * to Decrypt, so a ciphertext under another key is refused).
   */
  piiKey: 'BUSLINE_PII_KEY',
} as const;
