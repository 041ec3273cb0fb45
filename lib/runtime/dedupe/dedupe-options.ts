/**
 * Turns a subscription's dedupe declaration (SubscriptionConfig.dedupe) and the
 * wrapHandler `dedupe` option into the pipeline's dedupe step.
 *
 * Precedence: explicit option > environment variable > default.
 *
 * | option     | env                   | default                                    |
 * |------------|-----------------------|--------------------------------------------|
 * | (on/off)   | —                     | on unless config.dedupe or the option is false |
 * | tableName  | BUSLINE_DEDUPE_TABLE  | none: required while dedupe is on          |
 * | ttlSeconds | —                     | config.dedupe.ttlSeconds, else 86400       |
 * | cacheSize  | —                     | 1000                                       |
 * | store      | —                     | DynamoDbDedupeStore on tableName           |
 * | client     | —                     | a DynamoDBClient made on first use         |
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RuntimeOptionsError } from '../errors.ts';
import { checkOptionKeys, stringOption } from '../option-checks.ts';
import type { RecordStep } from '../record-pipeline.ts';
import { RUNTIME_ENV, type SubscriptionConfig } from '../subscription-config.ts';
import { DEFAULT_COMPLETED_CACHE_SIZE, DEFAULT_DEDUPE_TTL_SECONDS, DedupeCoordinator } from './dedupe-coordinator.ts';
import type { DedupeStore } from './dedupe-store.ts';
import type { EffectsRuntime } from '../effects/record-effects.ts';
import type { CommitStepOf } from '../wrap-handler.ts';
import { dedupeStep } from './dedupe-step.ts';
import { DynamoDbDedupeStore } from './dynamodb-dedupe-store.ts';

/** The `dedupe` option of wrapHandler; `false` turns dedupe off for this wrapper. */
export interface DedupeOptions {
  /** The flow's dedupe table. @default env BUSLINE_DEDUPE_TABLE */
  readonly tableName?: string;
  /** How long a COMPLETED record suppresses duplicates. @default config.dedupe.ttlSeconds, else 86400 */
  readonly ttlSeconds?: number;
  /** COMPLETED keys remembered in this container (0 turns the cache off). @default 1000 */
  readonly cacheSize?: number;
  /** Where locks live. @default a DynamoDbDedupeStore on tableName */
  readonly store?: DedupeStore;
  /** The DynamoDB client of the default store. @default one made on first use (endpoint and region from the environment) */
  readonly client?: DynamoDBClient;
}

const DEDUPE_OPTION_KEYS = ['tableName', 'ttlSeconds', 'cacheSize', 'store', 'client'] as const;

/** The dedupe step for a wrapper, or undefined when dedupe is off. Checks every option now, at cold start. */
export function createDedupeStep(
  where: string,
  config: SubscriptionConfig,
  options: DedupeOptions | false | undefined,
  effects?: EffectsRuntime,
): RecordStep | undefined {
  if (options === false) return undefined;
  if (config.dedupe === false) {
    if (options !== undefined) {
      throw new RuntimeOptionsError(
        `${where}: a dedupe option was given but the subscription turned dedupe off (config.dedupe false): ` +
          `remove the option or turn dedupe on`,
      );
    }
    return undefined;
  }
  const given: DedupeOptions = options ?? {};
  checkOptionKeys(`${where} dedupe`, given, DEDUPE_OPTION_KEYS);
  const declared = config.dedupe ?? { ttlSeconds: DEFAULT_DEDUPE_TTL_SECONDS };
  const ttlSource = given.ttlSeconds !== undefined ? 'the dedupe option ttlSeconds' : 'config.dedupe.ttlSeconds';
  const ttlSeconds: unknown = given.ttlSeconds ?? declared.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RuntimeOptionsError(`${where}: ${ttlSource} must be a number of seconds greater than 0 (default 86400), got ${JSON.stringify(ttlSeconds)}`);
  }
  const cacheSize = given.cacheSize ?? DEFAULT_COMPLETED_CACHE_SIZE;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new RuntimeOptionsError(`${where}: dedupe cacheSize must be a whole number ≥ 0 (0 turns the cache off), got ${JSON.stringify(cacheSize)}`);
  }

  let store = given.store;
  if (store !== undefined && (given.tableName !== undefined || given.client !== undefined)) {
    throw new RuntimeOptionsError(`${where}: dedupe tableName and client configure the default store; they cannot be combined with dedupe.store`);
  }
  store ??= defaultStore(where, config, stringOption(`${where} dedupe`, 'tableName', given.tableName, RUNTIME_ENV.dedupeTable), given.client);
  return stepOf(where, config, new DedupeCoordinator({ store, ttlSeconds, cacheSize, logDuplicates: false }), effects);
}

/**
 * The commit step of a generated entry (lib/constructs/bundler.ts) whose subscription has dedupe
 * on: the dedupe step with config.dedupe.ttlSeconds (checked by the constructs at synth), the
 * default cache and a DynamoDbDedupeStore on BUSLINE_DEDUPE_TABLE. A generated entry with dedupe
 * off takes effects/effects-step.ts generatedEffectsStep instead, and its bundle none of dedupe/.
 */
export const generatedDedupeStep: CommitStepOf = (where, config, effects) => {
  const ttlSeconds = (config.dedupe || undefined)?.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  const store = defaultStore(where, config, process.env[RUNTIME_ENV.dedupeTable] || undefined, undefined);
  return stepOf(where, config, new DedupeCoordinator({ store, ttlSeconds, cacheSize: DEFAULT_COMPLETED_CACHE_SIZE, logDuplicates: false }), effects);
};

/** The default store on the dedupe table; without a table, an error saying how to give one. */
function defaultStore(where: string, config: SubscriptionConfig, tableName: string | undefined, client: DynamoDBClient | undefined): DedupeStore {
  if (tableName === undefined) {
    throw new RuntimeOptionsError(
      `${where}: dedupe is on for subscription ${config.subscription} but has no table: set ` +
        `${RUNTIME_ENV.dedupeTable} (the constructs do), pass dedupe: { tableName }, or pass dedupe: false`,
    );
  }
  return new DynamoDbDedupeStore({ tableName, ...(client ? { client } : {}) });
}

function stepOf(where: string, config: SubscriptionConfig, coordinator: DedupeCoordinator, effects: EffectsRuntime | undefined): RecordStep {
  const keyPath = config.dedupe ? config.dedupe.keyPath : undefined;
  try {
    return dedupeStep({
      subscription: config.subscription,
      ...(keyPath === undefined ? {} : { keyPath }),
      coordinator,
      ...(effects ? { effects } : {}),
    });
  } catch (error) {
    // A malformed config.dedupe.keyPath: an option error of this wrapper, found at cold start.
    if (error instanceof TypeError) throw new RuntimeOptionsError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}
