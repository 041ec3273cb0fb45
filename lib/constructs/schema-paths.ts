/**
 * Questions the constructs ask of a topic's JSON Schema at synth time: does `data` have
 * this field (for content filters, message groups and dedupe keys)? Only what a schema
 * states is known: a field missing from `properties` (and not admitted by
 * `patternProperties` or an `additionalProperties` schema) is unknown.
 */
import type { JsonSchema } from '../schema/schema-set.ts';

type SchemaNode = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is SchemaNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves a local `$ref` (`#/definitions/x`, `#/$defs/x`); other nodes pass through. */
function deref(node: SchemaNode, root: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) return current;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) {
      target = isObject(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    if (!isObject(target)) return current;
    current = target;
  }
  return current;
}

/** The node and every branch of its allOf/anyOf/oneOf, dereferenced. */
function branches(node: SchemaNode, root: SchemaNode): SchemaNode[] {
  const resolved = deref(node, root);
  const out = [resolved];
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = resolved[key];
    if (Array.isArray(list)) for (const b of list) if (isObject(b)) out.push(...branches(b, root));
  }
  return out;
}

/**
 * The schema of `key` below `node`, or undefined when the schema does not have it.
 * With `throughArrays`, an array node stands for its items (EventBridge matches a
 * pattern against every element of an array).
 */
function child(node: SchemaNode, key: string, root: SchemaNode, throughArrays: boolean): SchemaNode | undefined {
  for (const b of branches(node, root)) {
    if (throughArrays && isObject(b.items)) {
      const inItems = child(b.items, key, root, throughArrays);
      if (inItems) return inItems;
    }
    const props = b.properties;
    if (isObject(props) && isObject(props[key])) return deref(props[key], root);
    const patterns = b.patternProperties;
    if (isObject(patterns)) {
      for (const [re, s] of Object.entries(patterns)) if (isObject(s) && new RegExp(re, 'u').test(key)) return deref(s, root);
    }
    if (isObject(b.additionalProperties)) return deref(b.additionalProperties, root);
  }
  return undefined;
}

/** The schema of a dotted `data` path (e.g. 'account.id'), or undefined if unknown. */
export function schemaAtPath(schema: JsonSchema, path: string, throughArrays = false): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const key of path.split('.')) {
    if (!node) return undefined;
    node = child(node, key, schema, throughArrays);
  }
  return node;
}

/** The JSON types a schema node admits; empty when it does not say. */
export function declaredTypes(node: SchemaNode): string[] {
  const t = node.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

/** What is wrong with one place of a content filter. */
export interface FilterProblem {
  /** Dotted path of the offending key in the filter, e.g. 'items.colour'. */
  readonly path: string;
  readonly reason: 'unknown-field' | 'bad-matcher' | 'encrypted-field';
}

/**
 * Checks a content filter written on `data` fields against a schema. A key maps to an
 * array of matchers (a leaf) or to a nested object; `$or` holds alternative filters.
 * `encrypted` lists the dotted paths of fields that travel encrypted (`cards.*.number`): a
 * filter on one of them, or inside one, can never match.
 */
export function checkFilter(filter: Readonly<Record<string, unknown>>, schema: JsonSchema, encrypted: readonly string[] = []): FilterProblem[] {
  // Patterns match array items implicitly: `cards.number` addresses `cards.*.number`.
  const sealed = encrypted.map((p) => p.split('.').filter((s) => s !== '*').join('.'));
  const isSealed = (path: string): boolean => sealed.some((p) => path === p || path.startsWith(`${p}.`));
  const problems: FilterProblem[] = [];
  const walk = (f: Readonly<Record<string, unknown>>, node: SchemaNode, prefix: string): void => {
    for (const [key, value] of Object.entries(f)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (key === '$or') {
        if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
          problems.push({ path, reason: 'bad-matcher' });
        } else {
          for (const alt of value) walk(alt, node, prefix);
        }
        continue;
      }
      const sub = child(node, key, schema, true);
      if (!sub) {
        problems.push({ path, reason: 'unknown-field' });
        continue;
      }
      if (isSealed(path)) {
        problems.push({ path, reason: 'encrypted-field' });
        continue;
      }
      if (Array.isArray(value)) continue;
      if (isObject(value)) walk(value, sub, path);
      else problems.push({ path, reason: 'bad-matcher' });
    }
  };
  walk(filter, schema, '');
  return problems;
}

/** Every top-level field a schema names, for "known fields are …" hints. */
export function knownFields(schema: JsonSchema): string[] {
  const names = new Set<string>();
  for (const b of branches(schema, schema)) if (isObject(b.properties)) for (const k of Object.keys(b.properties)) names.add(k);
  return [...names].sort();
}
