/**
 * Converts a topic schema (draft 7 / 2019-09 / 2020-12, as ajv compiles it) to JSON Schema
 * draft 4, the dialect the EventBridge schema registry stores (type JSONSchemaDraft4).
 *
 * Converted: `exclusiveMinimum`/`exclusiveMaximum` numbers → `minimum`/`maximum` with the
 * draft-4 boolean flag; `const` → one-value `enum`; `$id` → `id`; `$defs` → `definitions`
 * (and their `$ref`s); `dependentRequired`/`dependentSchemas` → `dependencies`; boolean
 * subschemas → `{}` / `{ "not": {} }`; `$comment` and Busline's `x-busline-*` keywords dropped.
 * Rejected, with the file, the keyword's location and a fix: keywords with no draft-4 meaning
 * (`if`/`then`/`else`, `contains`, `propertyNames`, `prefixItems`, `unevaluated*`, anchors).
 */
import type { JsonSchema } from './schema-set.ts';

export const DRAFT4_URI = 'http://json-schema.org/draft-04/schema#';

export class Draft4ConversionError extends Error {
  override readonly name = 'Draft4ConversionError';
}

/** Keywords draft 4 cannot express, and how to rewrite each. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  if: 'express the condition as anyOf/oneOf of the allowed alternatives',
  then: 'express the condition as anyOf/oneOf of the allowed alternatives',
  else: 'express the condition as anyOf/oneOf of the allowed alternatives',
  contains: 'remove it, or move the required element into its own field',
  minContains: 'remove it (draft 4 cannot count matching items)',
  maxContains: 'remove it (draft 4 cannot count matching items)',
  propertyNames: 'use patternProperties with additionalProperties: false',
  prefixItems: 'use the draft 4 tuple form: "items": [ … ] with "additionalItems"',
  unevaluatedProperties: 'use additionalProperties: false next to the listed properties',
  unevaluatedItems: 'use additionalItems with the tuple form of items',
  $anchor: 'reference the subschema by path: "$ref": "#/definitions/<name>"',
  $dynamicRef: 'use a plain $ref to "#/definitions/<name>"',
  $dynamicAnchor: 'use a plain $ref to "#/definitions/<name>"',
  $recursiveRef: 'use a plain $ref to "#/definitions/<name>"',
  $recursiveAnchor: 'use a plain $ref to "#/definitions/<name>"',
};

/** Keywords whose value is a map of name → subschema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/** Keywords whose value is a subschema. */
const SCHEMA_VALUES = new Set(['additionalProperties', 'additionalItems', 'not', 'items']);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * Converts `schema` (read from `file`, named in errors) to draft 4. The result carries
 * `$schema: draft-04` at its root.
 */
export function toDraft4(schema: JsonSchema, file: string): JsonSchema {
  const converted = convertNode(schema, file, '') as Record<string, unknown>;
  return { $schema: DRAFT4_URI, ...converted };
}

function convertNode(node: unknown, file: string, pointer: string): unknown {
  if (node === true) return {};
  if (node === false) return { not: {} };
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new Draft4ConversionError(`${file}: ${pointer || '/'} is not a schema (got ${JSON.stringify(node)}): use an object or true/false`);
  }
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    const at = `${pointer}/${key}`;
    const fix = UNSUPPORTED[key];
    if (fix !== undefined) {
      throw new Draft4ConversionError(
        `${file}: keyword "${key}" at ${at} has no JSON Schema draft 4 equivalent, and the EventBridge schema registry stores JSONSchemaDraft4: ${fix}`,
      );
    }
    if (key === '$schema' || key === '$comment' || key.startsWith('x-busline-')) continue;
    if (key === '$id') out.id = value;
    else if (key === '$ref') out.$ref = typeof value === 'string' ? value.replace(/^#\/\$defs\//, '#/definitions/') : value;
    else if (key === 'const') out.enum = [value];
    else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') convertExclusive(key, value, src, out);
    else if (key === 'minimum' || key === 'maximum') {
      // Merged with the exclusive bound (if any) by convertExclusive; the stricter bound wins.
      if (!(typeof src[key === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] === 'number')) out[key] = value;
    } else if (key === 'dependentRequired') mergeInto(out, 'dependencies', value as Record<string, unknown>);
    else if (SCHEMA_MAPS.has(key)) {
      const target = key === '$defs' ? 'definitions' : key === 'dependentSchemas' ? 'dependencies' : key;
      const converted = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, convertNode(sub, file, `${at}/${name}`)]),
      );
      mergeInto(out, target, converted);
    } else if (key === 'dependencies') {
      const converted = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, dep]) => [name, Array.isArray(dep) ? dep : convertNode(dep, file, `${at}/${name}`)]),
      );
      mergeInto(out, 'dependencies', converted);
    } else if (key === 'items' && Array.isArray(value)) {
      out.items = value.map((sub, i) => convertNode(sub, file, `${at}/${i}`));
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = typeof value === 'boolean' && key !== 'not' && key !== 'items' ? value : convertNode(value, file, at);
    } else if (SCHEMA_ARRAYS.has(key)) {
      out[key] = (value as unknown[]).map((sub, i) => convertNode(sub, file, `${at}/${i}`));
    } else out[key] = value;
  }
  if ('const' in src && Array.isArray(src.enum)) {
    // Both present: the value must satisfy both, so the enum narrows to the const when it is allowed.
    const allowed = (src.enum as unknown[]).some((v) => JSON.stringify(v) === JSON.stringify(src.const));
    if (!allowed) throw new Draft4ConversionError(`${file}: ${pointer || '/'} has a const that its enum does not allow, so no value is valid: fix one of them`);
    out.enum = [src.const];
  }
  return out;
}

/** Draft 6+ `exclusiveMinimum: n` → draft 4 `minimum: n, exclusiveMinimum: true`, keeping the stricter bound. */
function convertExclusive(key: 'exclusiveMinimum' | 'exclusiveMaximum', value: unknown, src: Record<string, unknown>, out: Record<string, unknown>): void {
  if (typeof value === 'boolean') {
    out[key] = value; // already draft-4 form
    return;
  }
  const inclusiveKey = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
  const inclusive = src[inclusiveKey];
  const exclusive = value as number;
  const inclusiveIsStricter = typeof inclusive === 'number' && (key === 'exclusiveMinimum' ? inclusive > exclusive : inclusive < exclusive);
  if (inclusiveIsStricter) {
    out[inclusiveKey] = inclusive;
  } else {
    out[inclusiveKey] = exclusive;
    out[key] = true;
  }
}

function mergeInto(out: Record<string, unknown>, key: string, value: Record<string, unknown>): void {
  out[key] = { ...(out[key] as Record<string, unknown> | undefined), ...value };
}
