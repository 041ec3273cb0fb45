/**
 * The PII values of a record's data: what the paths of the fields its topic's schema marks
 * `"x-busline-pii"` (lib/schema/pii.ts) reach, to be masked (pii-mask.ts) wherever the runtime
 * writes about the record. A function bundle carries this file only when one of its topics has
 * such fields (lib/constructs/bundler.ts featureImports).
 */
import type { PiiMask } from './pii-mask.ts';

/** The path segment standing for every item of an array (as lib/schema/pii.ts writes paths). */
export const EACH_ITEM = '*';

/** piiMaskOf, as the runtime's features hand it over (wrap-handler.ts RuntimeFeatures). */
export type PiiMaskOf = typeof piiMaskOf;

/** The PII values of one record's data, or undefined when it holds none. */
export function piiMaskOf(data: unknown, paths: ReadonlyArray<readonly string[]> | undefined): PiiMask | undefined {
  if (!paths || paths.length === 0) return undefined;
  const texts = new Set<string>();
  const numbers = new Set<number>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value !== '') texts.add(value);
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      numbers.add(value);
      texts.add(String(value));
    } else if (typeof value === 'object' && value !== null) {
      // A whole object or array marked PII (an address): every value inside it.
      for (const v of Object.values(value)) collect(v);
    }
  };
  for (const p of paths) forEachAt(data, p, (container, key) => collect(container[key]));
  if (texts.size === 0) return undefined;
  return { texts: [...texts].sort((a, b) => b.length - a.length), numbers };
}

/**
 * Calls `visit(container, key)` for every place `path` reaches in `data` (`'*'`: each item of an
 * array): the object or array holding the value, and its key. Places that do not exist are
 * skipped. Masking reads the values; encryption (pii-crypto.ts) replaces them.
 */
export function forEachAt(data: unknown, path: readonly string[], visit: (container: Record<string, unknown>, key: string) => void): void {
  const at = (value: unknown, i: number): void => {
    if (typeof value !== 'object' || value === null) return;
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (segment === EACH_ITEM) {
      if (!Array.isArray(value)) return;
      for (let k = 0; k < value.length; k++) {
        if (last) visit(value as unknown as Record<string, unknown>, String(k));
        else at(value[k], i + 1);
      }
      return;
    }
    if (!Object.hasOwn(value, segment)) return;
    if (last) visit(value as Record<string, unknown>, segment);
    else at((value as Record<string, unknown>)[segment], i + 1);
  };
  if (path.length > 0) at(data, 0);
}
