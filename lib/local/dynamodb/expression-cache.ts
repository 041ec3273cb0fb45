/**
 * A cache in front of dynalite's expression parsers (condition, update), so an expression the
 * engine has parsed once is not parsed again: the runtime sends the same few expressions
 * (the dedupe record's lock, park and complete, a handler's writes) with new values on every
 * request, and dynalite's PEG parsers were the largest single cost of a DynamoDB request.
 *
 * What a parse depends on, and so what the cache keys on:
 * - the expression text, whether it is a KeyConditionExpression, and ExpressionAttributeNames
 *   (names resolve into the parsed paths, and an undefined one is an error);
 * - which ExpressionAttributeValues keys there are and each value's type (`S`, `N`, `L`, …):
 *   the parsers put each value into the tree as the request's own object and check operand
 *   types, never the values' contents.
 * Two checks do read a value's content, the type name of `attribute_type(path, :t)` and the
 * bounds of `BETWEEN :lo AND :hi`: an expression that may contain either is parsed every time.
 *
 * A hit returns a fresh copy of the cached tree with the request's own value objects put where
 * the first request's were, and marks as used the same names and values the parse marked (dynalite
 * reports those left unused after parsing). Failed parses are not cached.
 */

/** An AttributeValue as dynalite's parsers see it (`{ S: 'x' }`, `{ N: '1' }`, …). */
type AttributeValue = Record<string, unknown>;

/** The context dynalite's validations hand its parsers (validations/index.js, validateExpressions). */
export interface ParseContext {
  attrNames?: Record<string, string> | null;
  attrVals?: Record<string, AttributeValue> | null;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
}

/** A dynalite parser module (db/conditionParser.js, db/updateParser.js): PEG.js output. */
export interface ExpressionParser {
  parse(input: string, options: { context: ParseContext }): unknown;
}

interface Parsed {
  /** A copy of the first parse's tree, holding that request's value objects. */
  readonly tree: unknown;
  /** Those value objects, by their `:name`. */
  readonly valueNames: ReadonlyMap<object, string>;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** Distinct expressions kept per parser; past that the cache starts over (a flow uses a handful). */
export const MAX_CACHED_EXPRESSIONS = 1000;

const READS_VALUE_CONTENT = /attribute_type|between/i;

/** Wraps `parser.parse` (in place: dynalite's validations call it through the module object) with the cache. */
export function cacheExpressionParses(parser: ExpressionParser): void {
  const parse = parser.parse.bind(parser);
  const cache = new Map<string, Parsed>();
  parser.parse = (input, options) => {
    const context = options.context;
    if (READS_VALUE_CONTENT.test(input)) return parse(input, options);
    const key = cacheKey(input, context);
    const hit = cache.get(key);
    if (hit) {
      for (const name of hit.usedNames) delete context.unusedAttrNames?.[name];
      for (const name of hit.usedValues) delete context.unusedAttrVals?.[name];
      const values = context.attrVals ?? {};
      return copyTree(hit.tree, (value) => {
        const name = hit.valueNames.get(value);
        return name === undefined ? undefined : values[name];
      });
    }
    const namesBefore = Object.keys(context.unusedAttrNames ?? {});
    const valuesBefore = Object.keys(context.unusedAttrVals ?? {});
    const tree = parse(input, options);
    if (typeof tree !== 'object' || tree === null) return tree;
    const valueNames = new Map<object, string>();
    for (const [name, value] of Object.entries(context.attrVals ?? {})) valueNames.set(value, name);
    if (cache.size >= MAX_CACHED_EXPRESSIONS) cache.clear();
    cache.set(key, {
      tree: copyTree(tree, (value) => (valueNames.has(value) ? value : undefined)),
      valueNames,
      usedNames: namesBefore.filter((name) => !(name in (context.unusedAttrNames ?? {}))),
      usedValues: valuesBefore.filter((name) => !(name in (context.unusedAttrVals ?? {}))),
    });
    return tree;
  };
}

function cacheKey(input: string, context: ParseContext): string {
  const valueTypes = Object.entries(context.attrVals ?? {}).map(([name, value]) => `${name}:${Object.keys(value ?? {}).join('+')}`);
  return `${context.isKeyCondition ? 'key' : ''}\u0000${input}\u0000${JSON.stringify(context.attrNames ?? null)}\u0000${valueTypes.join(',')}`;
}

/**
 * A deep copy of a parse tree (arrays and objects, prototypes kept: dynalite makes some with
 * `Object.create(null)`; a node the tree holds twice, such as a path listed in `paths` and used in
 * a section, is copied once and held twice); `substitute` answers the object to put instead of one
 * of the value objects, undefined for any other object.
 */
function copyTree(root: unknown, substitute: (value: object) => unknown): unknown {
  const copies = new Map<object, unknown>();
  const copy = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const replacement = substitute(node);
    if (replacement !== undefined) return replacement;
    const done = copies.get(node);
    if (done !== undefined) return done;
    if (Array.isArray(node)) {
      const list: unknown[] = [];
      copies.set(node, list);
      for (const child of node) list.push(copy(child));
      return list;
    }
    const object = Object.create(Object.getPrototypeOf(node) as object | null) as Record<string, unknown>;
    copies.set(node, object);
    for (const [key, child] of Object.entries(node)) object[key] = copy(child);
    return object;
  };
  return copy(root);
}
