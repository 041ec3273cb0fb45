/**
 * Events flattened the way AWS sees them: each leaf value (string, number,
 * boolean, null) under its dotted path. Arrays add no path step; an array's
 * elements all sit at the array's path, and an empty array or object has no
 * leaves at all (so for AWS the field does not exist).
 *
 * Each leaf remembers which element of which array it came from, because AWS
 * matches fields of one array element together: `{"a": {"b": [1], "c": [2]}}`
 * does not match `{"a": [{"b": 1, "c": 3}, {"b": 3, "c": 2}]}`.
 */
import type { Leaf } from './matchers.ts';

export interface FieldValue {
  readonly value: Leaf;
  /** Pairs of (array id, element index) for every array enclosing the leaf; undefined outside arrays. */
  readonly arrays: readonly number[] | undefined;
}

export type EventFields = ReadonlyMap<string, readonly FieldValue[]>;

/**
 * @param needed when given, only paths in this set (every dotted prefix of the
 *   paths the patterns use) are visited: a large payload costs only what the
 *   patterns look at.
 */
export function flattenEvent(event: unknown, needed?: ReadonlySet<string>): EventFields {
  const out = new Map<string, FieldValue[]>();
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return out;
  const state: WalkState = { nextArrayId: 0, paths: needed && pathsUnder(needed) };
  walkObject(event as Record<string, unknown>, '', undefined, out, needed, state);
  return out;
}

interface WalkState {
  nextArrayId: number;
  /** The child paths built so far for `needed` (see pathsUnder); undefined when every path is visited. */
  readonly paths: ChildPaths | undefined;
}

/** prefix → key → the path `prefix.key`, or null when `needed` does not list it. */
type ChildPaths = Map<string, Map<string, string | null>>;

/**
 * Child paths are looked up rather than concatenated and hashed again for every event: the
 * paths of one set of patterns are few (only needed prefixes are walked into). Keys under a
 * prefix are the event's own and can be anything, so at most this many are kept per prefix.
 */
const MAX_KEYS_PER_PREFIX = 256;
const childPathsOf = new WeakMap<ReadonlySet<string>, ChildPaths>();

function pathsUnder(needed: ReadonlySet<string>): ChildPaths {
  let paths = childPathsOf.get(needed);
  if (!paths) childPathsOf.set(needed, (paths = new Map()));
  return paths;
}

/** `prefix.key` (or `key` at the top) when `needed` lists it; undefined otherwise. */
function neededChild(paths: ChildPaths, needed: ReadonlySet<string>, prefix: string, key: string): string | undefined {
  let byKey = paths.get(prefix);
  if (!byKey) paths.set(prefix, (byKey = new Map()));
  const known = byKey.get(key);
  if (known !== undefined) return known ?? undefined;
  const path = prefix === '' ? key : `${prefix}.${key}`;
  const found = needed.has(path) ? path : null;
  if (byKey.size < MAX_KEYS_PER_PREFIX) byKey.set(key, found);
  return found ?? undefined;
}

function walkObject(
  obj: Record<string, unknown>, prefix: string, arrays: readonly number[] | undefined,
  out: Map<string, FieldValue[]>, needed: ReadonlySet<string> | undefined, state: WalkState,
): void {
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    let path: string | undefined;
    if (needed === undefined || state.paths === undefined) path = prefix === '' ? key : `${prefix}.${key}`;
    else path = neededChild(state.paths, needed, prefix, key);
    if (path === undefined) continue;
    walkValue(obj[key], path, arrays, out, needed, state);
  }
}

function walkValue(
  value: unknown, path: string, arrays: readonly number[] | undefined,
  out: Map<string, FieldValue[]>, needed: ReadonlySet<string> | undefined, state: WalkState,
): void {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    let list = out.get(path);
    if (!list) out.set(path, (list = []));
    list.push({ value, arrays });
    return;
  }
  if (Array.isArray(value)) {
    const id = state.nextArrayId++;
    for (let i = 0; i < value.length; i++) {
      walkValue(value[i], path, arrays ? [...arrays, id, i] : [id, i], out, needed, state);
    }
    return;
  }
  if (typeof value === 'object') walkObject(value as Record<string, unknown>, path, arrays, out, needed, state);
  // undefined, functions, symbols, bigints: not JSON, not part of an event
}

/** Two leaves can be matched together unless they come from different elements of the same array. */
export function compatible(a: FieldValue, b: FieldValue): boolean {
  const x = a.arrays;
  const y = b.arrays;
  if (!x || !y) return true;
  for (let i = 0; i < x.length; i += 2) {
    for (let j = 0; j < y.length; j += 2) {
      if (x[i] === y[j] && x[i + 1] !== y[j + 1]) return false;
    }
  }
  return true;
}

/** Every dotted prefix of each path: what flattenEvent must visit to reach those paths. */
export function prefixesOf(paths: Iterable<string>, into = new Set<string>()): Set<string> {
  for (const path of paths) {
    let i = path.indexOf('.');
    while (i >= 0) {
      into.add(path.slice(0, i));
      i = path.indexOf('.', i + 1);
    }
    into.add(path);
  }
  return into;
}
