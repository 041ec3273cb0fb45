/**
 * Busline's PII annotation: a field of a topic's schema marked `"x-busline-pii": true` (or the
 * mode `"mask"`) holds personal data. The runtime masks its values in every log line of the
 * record and in the DLQ reason attributes; the handler still receives the data unchanged.
 * `false` states a field is not PII. Other values (the `encrypt` mode is not built yet) fail the
 * build-time compile of the schema.
 */
import { EACH_ITEM } from '../runtime/pii-mask.ts';
import type { JsonSchema } from './schema-set.ts';

export const PII_KEYWORD = 'x-busline-pii';
/** The values the keyword takes; `true` means `'mask'`. */
export const PII_VALUES: readonly (boolean | string)[] = [true, false, 'mask'];

type Schema = Readonly<Record<string, unknown>>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Paths in `data` of every field marked PII: `['customer', 'email']`, `['lines', '*', 'name']`
 * for array items. Walks properties, items and the branches of allOf/anyOf/oneOf; `$ref`s are
 * not followed (mark the field where it is used).
 */
export function piiPaths(schema: JsonSchema): string[][] {
  const found = new Map<string, string[]>();
  const walk = (node: unknown, path: string[]): void => {
    if (!isSchema(node)) return;
    const mark = node[PII_KEYWORD];
    if (mark === true || mark === 'mask') {
      if (path.length > 0) found.set(JSON.stringify(path), path);
      return;
    }
    if (isSchema(node.properties)) {
      for (const [key, sub] of Object.entries(node.properties)) walk(sub, [...path, key]);
    }
    if (isSchema(node.items)) walk(node.items, [...path, EACH_ITEM]);
    if (Array.isArray(node.items)) for (const sub of node.items) walk(sub, [...path, EACH_ITEM]);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = node[k];
      if (Array.isArray(branches)) for (const b of branches) walk(b, path);
    }
  };
  walk(schema, []);
  return [...found.values()];
}

/** The PII paths of every version of a topic together: a field PII in any version is masked. */
export function topicPiiPaths(versions: ReadonlyArray<{ readonly schema: JsonSchema }>): string[][] {
  const all = new Map<string, string[]>();
  for (const v of versions) for (const p of piiPaths(v.schema)) all.set(JSON.stringify(p), p);
  return [...all.values()];
}
