/**
 * Payloads for a soak: generated from each topic's newest JSON Schema by json-schema-faker
 * (formats, patterns, enums and bounds respected), seeded per event so that one soak seed
 * always gives the same payloads, and each checked with the topic's validator before use.
 */
import type { GenerateSyncOptions } from 'json-schema-faker';
import type { JsonSchema } from '../../schema/schema-set.ts';
import type { CompiledValidator } from '../../runtime/handler-types.ts';

export class SoakPayloadError extends Error {
  override readonly name = 'SoakPayloadError';
}

/** Tries per payload before giving up (a schema json-schema-faker cannot satisfy). */
const ATTEMPTS = 20;

export interface PayloadSource {
  /** The payload of the `index`-th event of this topic: the same for the same seed and index. */
  payload(index: number): unknown;
}

/**
 * A payload source for one topic. `validate` is the topic's compiled validator (the one its
 * publisher checks with): a generated payload that does not pass is discarded and another seed
 * tried; after {@link ATTEMPTS} misses SoakPayloadError names the validator's complaints.
 */
export async function payloadSource(topic: string, schema: JsonSchema, validate: CompiledValidator, seed: number): Promise<PayloadSource> {
  // An ES module only (no `require` entry): loaded on first use, as schema-check.ts does.
  const { generateSync } = await import('json-schema-faker');
  return {
    payload(index) {
      const misses: string[] = [];
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const options: GenerateSyncOptions = { seed: mix(seed, index, attempt), optionalsProbability: 0.5 };
        const value = generateSync(schema as Record<string, unknown>, options);
        if (validate(value)) return value;
        misses.push(JSON.stringify(validate.errors ?? []));
      }
      throw new SoakPayloadError(`no payload valid against ${topic}'s schema came out of ${ATTEMPTS} tries (event ${index}, seed ${seed}): ${[...new Set(misses)].slice(0, 3).join('; ')}`);
    },
  };
}

/** A 32-bit seed from the soak's seed, the event's index and the try (FNV-1a over the three). */
function mix(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (part >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h;
}
