/**
 * Busline's PII annotation: a field of a topic's schema marked `"x-busline-pii"` holds personal
 * data. Modes:
 *   - `true` or `"mask"`: the runtime masks its values in every log line of the record and in the
 *     DLQ reason attributes; the event carries the value as is and the handler receives it.
 *   - `"encrypt"`: masked the same way, and the publisher encrypts the value with a KMS data key
 *     (lib/runtime/pii-envelope.ts); only ciphertext travels and is stored, and the subscriber's
 *     runtime decrypts it before validation, so the handler receives the plaintext.
 * `false` states a field is not PII. Any other value fails the build-time compile of the schema.
 */
import { EACH_ITEM } from '../runtime/pii-values.ts';
import type { JsonSchema } from './schema-set.ts';

export const PII_KEYWORD = 'x-busline-pii';
/** The values the keyword takes; `true` means `'mask'`. */
export const PII_VALUES: readonly (boolean | string)[] = [true, false, 'mask', 'encrypt'];

/** What the runtime does with a PII field. */
export type PiiMode = 'mask' | 'encrypt';

/** One field a schema marks PII: its path in `data` (`'*'` for every array item) and its mode. */
export interface PiiField {
  readonly path: string[];
  readonly mode: PiiMode;
}

type Schema = Readonly<Record<string, unknown>>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function modeOf(mark: unknown): PiiMode | undefined {
  if (mark === true || mark === 'mask') return 'mask';
  if (mark === 'encrypt') return 'encrypt';
  return undefined;
}

/**
 * Every field a schema marks PII, with its mode: `['customer', 'email']`, `['lines', '*', 'name']`
 * for array items. Walks properties, items and the branches of allOf/anyOf/oneOf; `$ref`s are
 * not followed (mark the field where it is used). A marked field is taken whole: marks inside it
 * are not looked at. A field marked in two branches with different modes is `encrypt`.
 */
export function piiFields(schema: JsonSchema): PiiField[] {
  const found = new Map<string, PiiField>();
  const walk = (node: unknown, path: string[]): void => {
    if (!isSchema(node)) return;
    const mode = modeOf(node[PII_KEYWORD]);
    if (mode) {
      if (path.length > 0) add(found, { path, mode });
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

/** Keeps one field per path; `encrypt` wins over `mask` (the safe side). */
function add(found: Map<string, PiiField>, field: PiiField): void {
  const key = JSON.stringify(field.path);
  if (found.get(key)?.mode !== 'encrypt') found.set(key, field);
}

/** Paths in `data` of every field marked PII, whatever its mode: all of them are masked in logs. */
export function piiPaths(schema: JsonSchema): string[][] {
  return piiFields(schema).map((f) => f.path);
}

/**
 * The PII fields of every version of a topic together: a field PII in any version is masked, and
 * encrypted if any version marks it `encrypt` (a publisher always writes the newest version; a
 * subscriber decrypts whatever arrives encrypted).
 */
export function topicPiiFields(versions: ReadonlyArray<{ readonly schema: JsonSchema }>): PiiField[] {
  const all = new Map<string, PiiField>();
  for (const v of versions) for (const f of piiFields(v.schema)) add(all, f);
  return [...all.values()];
}

/** The PII paths of every version of a topic together: a field PII in any version is masked. */
export function topicPiiPaths(versions: ReadonlyArray<{ readonly schema: JsonSchema }>): string[][] {
  return topicPiiFields(versions).map((f) => f.path);
}

/** The paths of a topic's fields that any version marks `encrypt`. */
export function topicEncryptPaths(versions: ReadonlyArray<{ readonly schema: JsonSchema }>): string[][] {
  return topicPiiFields(versions).filter((f) => f.mode === 'encrypt').map((f) => f.path);
}
