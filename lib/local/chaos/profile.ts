/**
 * A chaos profile: which delivery and API faults the engine injects, how often, and from which
 * seed. Parsed from the CLI form `duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05`
 * or a preset name (`gentle`, `default`, `harsh`), optionally followed by overrides
 * (`gentle,crash=0.2`). See docs/chaos.md.
 */
import type { Building } from '../building.ts';

/** Probabilities are 0..1: the chance that one opportunity for the fault (a delivery, an invocation, a request) gets it. */
export interface ChaosProfile {
  /** Seeds every fault stream: the same seed and the same inputs inject the same faults. */
  readonly seed: number;
  /** An SQS message is delivered twice (a second copy is enqueued); an EventBridge target gets an event twice. */
  readonly duplicate?: number;
  /** A standard queue's receive returns its visible messages out of their send order. */
  readonly reorder?: number;
  /** A message sent to a queue becomes visible only after `delayMs`. */
  readonly delay?: number;
  /** How long a delayed message waits. @default 1000 */
  readonly delayMs?: number;
  /** The message's visibility timeout runs out while its handler runs: it becomes visible again and another poller receives it. */
  readonly visibilityExpiry?: number;
  /** The function's worker process dies mid-invocation (the invocation fails, the worker is replaced). */
  readonly crash?: number;
  /** The invocation runs past its function's timeout ("Task timed out after … seconds"). */
  readonly timeout?: number;
  /** PutEvents fails as a whole with ThrottlingException. */
  readonly throttle?: number;
  /** One PutEvents entry fails in its slot (FailedEntryCount > 0, ErrorCode on the entry). Per entry. */
  readonly partialFailure?: number;
  /** A DynamoDB request fails with ProvisionedThroughputExceededException (or ThrottlingException for transactions). */
  readonly dynamodbThrottle?: number;
  /** A TransactWriteItems fails with TransactionCanceledException, reason TransactionConflict. */
  readonly transactionConflict?: number;
}

/** The fault kinds a profile sets, by their CLI names. */
export type ChaosFaultKind =
  | 'duplicate' | 'reorder' | 'delay' | 'visibility-expiry' | 'crash' | 'timeout'
  | 'throttle' | 'partial-failure' | 'dynamodb-throttle' | 'transaction-conflict';

/** CLI key → profile field, for every probability. */
export const CHAOS_FAULT_FIELDS: Readonly<Record<ChaosFaultKind, Exclude<keyof ChaosProfile, 'seed' | 'delayMs'>>> = {
  duplicate: 'duplicate',
  reorder: 'reorder',
  delay: 'delay',
  'visibility-expiry': 'visibilityExpiry',
  crash: 'crash',
  timeout: 'timeout',
  throttle: 'throttle',
  'partial-failure': 'partialFailure',
  'dynamodb-throttle': 'dynamodbThrottle',
  'transaction-conflict': 'transactionConflict',
};

/** The names of the preset profiles. */
export type ChaosPresetName = 'none' | 'gentle' | 'default' | 'harsh';

/** The named profiles (without their seed). `none` injects nothing. */
export const CHAOS_PRESETS: Readonly<Record<ChaosPresetName, Omit<ChaosProfile, 'seed'>>> = {
  none: {},
  gentle: {
    duplicate: 0.02, reorder: 0.05, delay: 0.02, delayMs: 500, visibilityExpiry: 0.01, crash: 0.01,
    throttle: 0.01, partialFailure: 0.01, dynamodbThrottle: 0.01, transactionConflict: 0.01,
  },
  default: {
    duplicate: 0.1, reorder: 0.1, delay: 0.05, delayMs: 1000, visibilityExpiry: 0.05, crash: 0.05, timeout: 0.01,
    throttle: 0.05, partialFailure: 0.05, dynamodbThrottle: 0.05, transactionConflict: 0.05,
  },
  harsh: {
    duplicate: 0.3, reorder: 0.3, delay: 0.2, delayMs: 2000, visibilityExpiry: 0.15, crash: 0.15, timeout: 0.05,
    throttle: 0.15, partialFailure: 0.15, dynamodbThrottle: 0.15, transactionConflict: 0.15,
  },
};

/** A chaos spec that cannot be read; the message names the bad part and what is allowed. */
export class ChaosProfileError extends Error {
  override readonly name = 'ChaosProfileError';
}

const VALID_KEYS = [...Object.keys(CHAOS_FAULT_FIELDS), 'delay-ms'];

/**
 * Reads a chaos spec: comma-separated `key=value` pairs and at most one preset name, the preset
 * first (`harsh`, `gentle,crash=0.2`, `duplicate=0.1,reorder=0.1`). Probabilities are 0..1;
 * `delay-ms` is a whole number of milliseconds. Throws a {@link ChaosProfileError} naming the bad
 * key or value and the valid ones.
 */
export function parseChaosProfile(spec: string, seed: number): ChaosProfile {
  if (!Number.isSafeInteger(seed)) throw new ChaosProfileError(`chaos seed must be a whole number, not ${String(seed)}`);
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new ChaosProfileError(`empty chaos profile: give a preset (${presetList()}) or key=value pairs (${VALID_KEYS.join(', ')})`);
  const fields: Partial<Building<ChaosProfile>> = {};
  parts.forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      const preset = (CHAOS_PRESETS as Record<string, Omit<ChaosProfile, 'seed'>>)[part];
      if (!preset || !Object.hasOwn(CHAOS_PRESETS, part)) {
        throw new ChaosProfileError(`unknown chaos preset "${part}": presets are ${presetList()}; or give key=value pairs (${VALID_KEYS.join(', ')})`);
      }
      if (index !== 0) throw new ChaosProfileError(`chaos preset "${part}" must come first (e.g. "${part},crash=0.2")`);
      Object.assign(fields, preset);
      return;
    }
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const value = Number(raw);
    if (key === 'delay-ms') {
      if (raw === '' || !Number.isInteger(value) || value < 0) throw new ChaosProfileError(`chaos delay-ms must be a whole number of milliseconds (0 or more), not "${raw}"`);
      fields.delayMs = value;
      return;
    }
    if (!Object.hasOwn(CHAOS_FAULT_FIELDS, key)) {
      throw new ChaosProfileError(`unknown chaos fault "${key}": valid keys are ${VALID_KEYS.join(', ')}`);
    }
    if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new ChaosProfileError(`chaos ${key} must be a probability from 0 to 1, not "${raw}"`);
    }
    fields[CHAOS_FAULT_FIELDS[key as ChaosFaultKind]] = value;
  });
  return { ...fields, seed };
}

/** The profile in its CLI form (what `parseChaosProfile` reads back to the same profile, seed aside). */
export function formatChaosProfile(profile: ChaosProfile): string {
  const parts: string[] = [];
  for (const [key, field] of Object.entries(CHAOS_FAULT_FIELDS)) {
    const p = profile[field];
    if (p !== undefined && p > 0) parts.push(`${key}=${p}`);
  }
  if (profile.delayMs !== undefined) parts.push(`delay-ms=${profile.delayMs}`);
  return parts.length > 0 ? parts.join(',') : 'none';
}

function presetList(): string {
  return Object.keys(CHAOS_PRESETS).join(', ');
}
