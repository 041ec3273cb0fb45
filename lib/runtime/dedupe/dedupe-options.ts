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
import { eventIdKey, type DedupeKeyFn } from './dedupe-key.ts';
import { dedupeKeyFor } from './dedupe-key-path.ts';
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
  return stepOf(where, config, new DedupeCoordinator({ store, ttlSeconds, cacheSize, logDuplicates: false }), effects, dedupeKeyFor);
}

/**
 * The commit step of a generated entry (lib/constructs/bundler.ts) whose subscription has dedupe
 * on, keyed on the event id: the dedupe step with config.dedupe.ttlSeconds (checked by the
 * constructs at synth), the default cache and a DynamoDbDedupeStore on BUSLINE_DEDUPE_TABLE. A
 * generated entry with dedupe off takes effects/effects-step.ts generatedEffectsStep instead, and
 * its bundle none of dedupe/; one whose dedupe names a keyPath, generatedKeyPathDedupeStep.
 */
export const generatedDedupeStep: CommitStepOf = (where, config, effects) => generatedStep(where, config, effects, eventIdKey);

/** generatedDedupeStep for a subscription whose dedupe names a keyPath: its bundle carries dedupe-key-path.ts. */
export const generatedKeyPathDedupeStep: CommitStepOf = (where, config, effects) => generatedStep(where, config, effects, dedupeKeyFor);

function generatedStep(where: string, config: SubscriptionConfig, effects: EffectsRuntime, keyFor: KeyFor): RecordStep {
  const ttlSeconds = (config.dedupe === false ? undefined : config.dedupe.ttlSeconds) ?? DEFAULT_DEDUPE_TTL_SECONDS;
  const store = defaultStore(where, config, process.env[RUNTIME_ENV.dedupeTable] || undefined, undefined);
  return stepOf(where, config, new DedupeCoordinator({ store, ttlSeconds, cacheSize: DEFAULT_COMPLETED_CACHE_SIZE, logDuplicates: false }), effects, keyFor);
}

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

/** How a dedupe config's key function is made: eventIdKey, or dedupeKeyFor (any config, a keyPath included). */
type KeyFor = (subscription: string, keyPath?: string) => DedupeKeyFn;

function stepOf(where: string, config: SubscriptionConfig, coordinator: DedupeCoordinator, effects: EffectsRuntime | undefined, keyFor: KeyFor): RecordStep {
  const keyPath = config.dedupe ? config.dedupe.keyPath : undefined;
  let key: DedupeKeyFn;
  try {
    key = keyFor(config.subscription, keyPath);
  } catch (error) {
    // A malformed config.dedupe.keyPath: an option error of this wrapper, found at cold start.
    if (error instanceof TypeError) throw new RuntimeOptionsError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
  return dedupeStep({ subscription: config.subscription, key, coordinator, ...(effects ? { effects } : {}) });
}
