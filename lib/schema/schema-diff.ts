/**
 * Structural diff of two JSON Schemas of one topic's `data`, classified by what each change
 * does to the set of valid events:
 *   - narrowing: some event valid under the older schema is invalid under the newer one
 *     → consumers on the newer schema cannot read events written with the older one (breaks backward);
 *   - widening: some event valid under the newer schema is invalid under the older one
 *     → consumers still on the older schema cannot read events written with the newer one (breaks forward);
 *   - both, or neither (a purely additive optional field on an open object).
 * The diff walks `properties` (nested objects) and `items` (arrays); it does not try to
 * prove anything about `oneOf`/`anyOf`/`allOf`/`not`/`$ref`: a change there is reported as
 * breaking both ways, to be reviewed by hand.
 */
import type { JsonSchema } from './schema-set.ts';

export type Direction = 'backward' | 'forward';

export type ChangeKind =
  | 'new-optional-field'
  | 'new-required-field'
  | 'field-made-required'
  | 'field-made-optional'
  | 'removed-optional-field'
  | 'removed-required-field'
  | 'field-added-to-closed-object'
  | 'removed-field-now-rejected'
  | 'additional-properties-closed'
  | 'additional-properties-opened'
  | 'type-narrowed'
  | 'type-widened'
  | 'type-changed'
  | 'enum-narrowed'
  | 'enum-widened'
  | 'enum-changed'
  | 'range-narrowed'
  | 'range-widened'
  | 'pattern-added'
  | 'pattern-removed'
  | 'pattern-changed'
  | 'format-added'
  | 'format-removed'
  | 'format-changed'
  | 'composition-changed';

export interface SchemaChange {
  readonly kind: ChangeKind;
  /** Dotted path of the field in `data` (`profile.email`, `roles[].name`); `(root)` for `data` itself. */
  readonly field: string;
  /** What changed, in words (`minimum 0 → 1`, `type integer → string`). */
  readonly detail: string;
  /** Compatibility directions this change breaks; empty when it breaks none. */
  readonly breaks: readonly Direction[];
}

const NARROWING: readonly Direction[] = ['backward'];
const WIDENING: readonly Direction[] = ['forward'];
const BOTH: readonly Direction[] = ['backward', 'forward'];
const NONE: readonly Direction[] = [];

/** Lower bounds: raising one (or adding it) narrows. Upper bounds: lowering one narrows. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
const COMPOSITION = ['oneOf', 'anyOf', 'allOf', 'not', '$ref', 'if', 'then', 'else', 'patternProperties', 'dependencies', 'dependentRequired'] as const;

/** Keywords this diff compares itself. */
const ANALYSED = new Set<string>([
  'type', 'enum', 'const', 'format', 'pattern', 'multipleOf', ...LOWER_BOUNDS, ...UPPER_BOUNDS, ...COMPOSITION,
  'properties', 'required', 'additionalProperties', 'items',
]);
/** Keywords with no effect on which events are valid. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);

const ALL_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

export function diffSchemas(older: JsonSchema, newer: JsonSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  diffNode(older, newer, '', changes);
  return changes;
}

function diffNode(a: JsonSchema, b: JsonSchema, path: string, out: SchemaChange[]): void {
  const field = path === '' ? '(root)' : path;
  diffType(a, b, field, out);
  diffEnum(a, b, field, out);
  diffBounds(a, b, field, out);
  diffStringKeyword(a, b, field, 'format', out);
  diffStringKeyword(a, b, field, 'pattern', out);
  if (a.multipleOf !== b.multipleOf) {
    const breaks = a.multipleOf === undefined ? NARROWING : b.multipleOf === undefined ? WIDENING : BOTH;
    out.push({ kind: breaks === WIDENING ? 'range-widened' : 'range-narrowed', field, detail: `multipleOf ${show(a.multipleOf)} → ${show(b.multipleOf)}`, breaks });
  }
  for (const keyword of COMPOSITION) {
    if (JSON.stringify(a[keyword]) !== JSON.stringify(b[keyword])) {
      out.push({ kind: 'composition-changed', field, detail: `${keyword} changed (not analysed: review by hand)`, breaks: BOTH });
    }
  }
  for (const keyword of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (ANALYSED.has(keyword) || ANNOTATIONS.has(keyword) || keyword.startsWith('x-')) continue;
    if (JSON.stringify(a[keyword]) !== JSON.stringify(b[keyword])) {
      out.push({ kind: 'composition-changed', field, detail: `${keyword} changed (not analysed: review by hand)`, breaks: BOTH });
    }
  }
  diffProperties(a, b, path, out);
  const itemsA = a.items;
  const itemsB = b.items;
  const itemsPath = `${path}[]`;
  if (isSchemaObject(itemsA) && isSchemaObject(itemsB)) diffNode(itemsA, itemsB, itemsPath, out);
  // An absent `items` allows any item: compare with the empty schema.
  else if (itemsA === undefined && isSchemaObject(itemsB)) diffNode({}, itemsB, itemsPath, out);
  else if (isSchemaObject(itemsA) && itemsB === undefined) diffNode(itemsA, {}, itemsPath, out);
  else if (JSON.stringify(itemsA) !== JSON.stringify(itemsB)) {
    out.push({ kind: 'composition-changed', field, detail: 'items changed (not analysed: review by hand)', breaks: BOTH });
  }
}

function diffProperties(a: JsonSchema, b: JsonSchema, path: string, out: SchemaChange[]): void {
  const propsA = objectOf(a.properties);
  const propsB = objectOf(b.properties);
  const requiredA = new Set(stringsOf(a.required));
  const requiredB = new Set(stringsOf(b.required));
  const closedA = a.additionalProperties === false;
  const closedB = b.additionalProperties === false;
  const join = (name: string) => (path === '' ? name : `${path}.${name}`);

  for (const name of Object.keys(propsB)) {
    if (name in propsA) continue;
    const field = join(name);
    if (requiredB.has(name)) out.push({ kind: 'new-required-field', field, detail: 'added, required', breaks: NARROWING });
    else out.push({ kind: 'new-optional-field', field, detail: 'added, optional', breaks: NONE });
    // Old consumers of a closed object reject any property they do not know.
    if (closedA) out.push({ kind: 'field-added-to-closed-object', field, detail: 'added while the older schema sets additionalProperties: false', breaks: WIDENING });
  }
  for (const name of Object.keys(propsA)) {
    if (name in propsB) continue;
    const field = join(name);
    if (requiredA.has(name)) out.push({ kind: 'removed-required-field', field, detail: 'removed, was required', breaks: WIDENING });
    else out.push({ kind: 'removed-optional-field', field, detail: 'removed, was optional', breaks: NONE });
    // Events written with the older schema may carry it; a closed newer schema rejects them.
    if (closedB) out.push({ kind: 'removed-field-now-rejected', field, detail: 'removed while the newer schema sets additionalProperties: false', breaks: NARROWING });
  }
  for (const name of Object.keys(propsB)) {
    const subA = propsA[name];
    const subB = propsB[name];
    if (subA === undefined || subB === undefined) continue;
    const field = join(name);
    if (!requiredA.has(name) && requiredB.has(name)) out.push({ kind: 'field-made-required', field, detail: 'optional → required', breaks: NARROWING });
    if (requiredA.has(name) && !requiredB.has(name)) out.push({ kind: 'field-made-optional', field, detail: 'required → optional', breaks: WIDENING });
    diffNode(asSchema(subA), asSchema(subB), field, out);
  }
  // A field required without being listed in properties is still a new requirement.
  for (const name of requiredB) {
    if (!requiredA.has(name) && !(name in propsB)) {
      out.push({ kind: 'new-required-field', field: join(name), detail: 'added to required', breaks: NARROWING });
    }
  }
  // additionalProperties as a schema (not a boolean) is not analysed.
  if ((isSchemaObject(a.additionalProperties) || isSchemaObject(b.additionalProperties)) && JSON.stringify(a.additionalProperties) !== JSON.stringify(b.additionalProperties)) {
    out.push({ kind: 'composition-changed', field: path === '' ? '(root)' : path, detail: 'additionalProperties changed (not analysed: review by hand)', breaks: BOTH });
  }
  if (!closedA && closedB) out.push({ kind: 'additional-properties-closed', field: path === '' ? '(root)' : path, detail: 'additionalProperties → false', breaks: NARROWING });
  if (closedA && !closedB) out.push({ kind: 'additional-properties-opened', field: path === '' ? '(root)' : path, detail: 'additionalProperties: false removed', breaks: WIDENING });
}

/** `integer` is a subset of `number`; an absent `type` allows every type. */
function typeSet(s: JsonSchema): Set<string> {
  const t = s.type;
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  return new Set(ALL_TYPES);
}

function typeCovers(set: Set<string>, type: string): boolean {
  return set.has(type) || (type === 'integer' && set.has('number'));
}

function diffType(a: JsonSchema, b: JsonSchema, field: string, out: SchemaChange[]): void {
  const ta = typeSet(a);
  const tb = typeSet(b);
  const aInB = [...ta].every((t) => typeCovers(tb, t));
  const bInA = [...tb].every((t) => typeCovers(ta, t));
  if (aInB && bInA) return;
  const detail = `type ${showType(a)} → ${showType(b)}`;
  if (aInB) out.push({ kind: 'type-widened', field, detail, breaks: WIDENING });
  else if (bInA) out.push({ kind: 'type-narrowed', field, detail, breaks: NARROWING });
  else out.push({ kind: 'type-changed', field, detail, breaks: BOTH });
}

/** `const: x` is read as `enum: [x]`. */
function enumOf(s: JsonSchema): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  if ('const' in s) return [s.const];
  return undefined;
}

function diffEnum(a: JsonSchema, b: JsonSchema, field: string, out: SchemaChange[]): void {
  const ea = enumOf(a);
  const eb = enumOf(b);
  if (ea === undefined && eb === undefined) return;
  const detail = `enum ${showEnum(ea)} → ${showEnum(eb)}`;
  if (ea === undefined) return void out.push({ kind: 'enum-narrowed', field, detail, breaks: NARROWING });
  if (eb === undefined) return void out.push({ kind: 'enum-widened', field, detail, breaks: WIDENING });
  const ka = new Set(ea.map((v) => JSON.stringify(v)));
  const kb = new Set(eb.map((v) => JSON.stringify(v)));
  const removed = [...ka].filter((v) => !kb.has(v));
  const added = [...kb].filter((v) => !ka.has(v));
  if (removed.length > 0 && added.length > 0) out.push({ kind: 'enum-changed', field, detail, breaks: BOTH });
  else if (removed.length > 0) out.push({ kind: 'enum-narrowed', field, detail, breaks: NARROWING });
  else if (added.length > 0) out.push({ kind: 'enum-widened', field, detail, breaks: WIDENING });
}

function diffBounds(a: JsonSchema, b: JsonSchema, field: string, out: SchemaChange[]): void {
  for (const [keywords, lower] of [[LOWER_BOUNDS, true], [UPPER_BOUNDS, false]] as const) {
    for (const keyword of keywords) {
      const va = numberOf(a[keyword]);
      const vb = numberOf(b[keyword]);
      if (va === vb) continue;
      // Adding a bound narrows; removing one widens; moving it narrows when it moves inwards.
      const narrowed = va === undefined ? true : vb === undefined ? false : lower ? vb > va : vb < va;
      out.push({
        kind: narrowed ? 'range-narrowed' : 'range-widened',
        field,
        detail: `${keyword} ${show(va)} → ${show(vb)}`,
        breaks: narrowed ? NARROWING : WIDENING,
      });
    }
  }
}

function diffStringKeyword(a: JsonSchema, b: JsonSchema, field: string, keyword: 'format' | 'pattern', out: SchemaChange[]): void {
  const va = a[keyword];
  const vb = b[keyword];
  if (va === vb) return;
  const detail = `${keyword} ${show(va)} → ${show(vb)}`;
  if (va === undefined) out.push({ kind: `${keyword}-added`, field, detail, breaks: NARROWING });
  else if (vb === undefined) out.push({ kind: `${keyword}-removed`, field, detail, breaks: WIDENING });
  else out.push({ kind: `${keyword}-changed`, field, detail, breaks: BOTH });
}

function isSchemaObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Boolean subschemas (draft 6+): `true` allows anything, `false` nothing. */
function asSchema(v: unknown): JsonSchema {
  if (v === false) return { not: {} };
  return isSchemaObject(v) ? v : {};
}

function objectOf(v: unknown): Record<string, unknown> {
  return isSchemaObject(v) ? (v as Record<string, unknown>) : {};
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function show(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

function showType(s: JsonSchema): string {
  if (s.type === undefined) return '(any)';
  return Array.isArray(s.type) ? s.type.join('|') : String(s.type);
}

function showEnum(e: unknown[] | undefined): string {
  return e === undefined ? '(any)' : `[${e.map((v) => JSON.stringify(v)).join(', ')}]`;
}
