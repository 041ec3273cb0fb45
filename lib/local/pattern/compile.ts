/**
 * Pattern text → branches. A branch is a set of field conditions that must all
 * hold; a pattern matches when any branch does (`$or` is the only source of
 * several branches). Field paths are dotted (`detail.data.total`): AWS flattens
 * both patterns and events, so `{"a.b": [...]}` and `{"a": {"b": [...]}}` name
 * the same field, and a path given twice keeps its last conditions.
 *
 * Validation follows AWS's order and wording: the first problem found reading
 * the pattern left to right is the one reported.
 */
import { InvalidEventPatternError } from './errors.ts';
import { readPatternJson, type JsonNode } from './pattern-json.ts';
import { comparableFromText } from './numbers.ts';
import { parseIp } from './ip.ts';
import type { WildcardPieces } from './wildcard.ts';
import { checkWildcardComplexity } from './wildcard-complexity.ts';
import { ExactIp, ExactLiteral, ExactNumber, ExactString, Wildcard, type Matcher } from './matchers.ts';
import { EXISTS_FALSE, EXISTS_TRUE, matchExpression } from './match-expression.ts';

/** The conditions a pattern puts on one field (its value list, OR-ed). */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly Matcher[];
  /** `{"exists": true}` is in the list: any value satisfies it. */
  readonly existsTrue: boolean;
  /** `{"exists": false}` is in the list: the field being absent satisfies it. */
  readonly existsFalse: boolean;
}

export type Branch = ReadonlyMap<string, FieldCondition>;

type MutableBranch = Map<string, FieldCondition>;

/** Keys AWS reserves inside `$or` (operator names and names kept for future operators). */
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

/**
 * Sibling and nested `$or`s multiply: `[A|B] x [C|D]` is four combinations. A
 * pattern within the size quota could still expand to billions, so we refuse
 * beyond this many (AWS refuses such rules too but does not publish its bound).
 */
export const MAX_OR_COMBINATIONS = 1000;

export function compileBranches(text: string): Branch[] {
  const branches = parseBranches(text);
  checkWildcardComplexity(wildcardOperandsByField(branches));
  return branches;
}

/** Distinct `wildcard` operands per field path, over all branches (AWS evaluates one automaton per field). */
function wildcardOperandsByField(branches: readonly Branch[]): Map<string, WildcardPieces[]> {
  const byField = new Map<string, Map<string, WildcardPieces>>();
  for (const b of branches) {
    for (const cond of b.values()) {
      for (const m of cond.matchers) {
        if (!(m instanceof Wildcard)) continue;
        let ops = byField.get(cond.path);
        if (!ops) byField.set(cond.path, (ops = new Map()));
        ops.set(m.operand, m.pieces);
      }
    }
  }
  return new Map([...byField].map(([path, ops]) => [path, [...ops.values()]]));
}

function parseBranches(text: string): Branch[] {
  const root = readPatternJson(text);
  if (root.kind !== 'object') throw new InvalidEventPatternError('Filter is not an object');
  const context = { legacyOr: false, sawOr: false };
  try {
    const branches: MutableBranch[] = [];
    parseObject(branches, [], root, false, context);
    return branches;
  } catch (e) {
    // AWS's rule compiler keeps pre-`$or` patterns working: when a pattern using
    // "$or" is not a valid `$or` expression, it is read again with "$or" as an
    // ordinary field name, and only if that fails too is the pattern refused.
    if (!(e instanceof InvalidEventPatternError) || !context.sawOr) throw e;
    try {
      const branches: MutableBranch[] = [];
      parseObject(branches, [], root, false, { legacyOr: true, sawOr: true });
      return branches;
    } catch {
      throw e;
    }
  }
}

interface CompileContext {
  /** Read "$or" as an ordinary field name (the fallback above). */
  readonly legacyOr: boolean;
  sawOr: boolean;
}

function parseObject(
  branches: MutableBranch[], path: string[], node: JsonNode & { kind: 'object' }, insideOr: boolean, context: CompileContext,
): void {
  if (node.members.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed');
  for (const { key, value } of node.members) {
    if (key === '$or' && !context.legacyOr) {
      context.sawOr = true;
      parseOr(branches, path, value, context);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (value.kind === 'object') {
      path.push(key);
      parseObject(branches, path, value, insideOr, context);
      path.pop();
    } else if (value.kind === 'array') {
      writeField(branches, [...path, key].join('.'), value);
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
    }
  }
}

/**
 * `$or: [A, B, ...]`: every branch built so far forks into one copy per
 * alternative; conditions read later apply to all the forks.
 */
function parseOr(branches: MutableBranch[], path: string[], node: JsonNode, context: CompileContext): void {
  if (node.kind !== 'array') throw new InvalidEventPatternError('It must be an Array followed with $or.');
  const before = branches.map((b) => new Map(b));
  branches.length = 0;
  for (const alternative of node.items) {
    if (alternative.kind !== 'object') {
      throw new InvalidEventPatternError('Only JSON object is allowed in array of $or relationship.');
    }
    const forks = before.length > 0 ? before.map((b) => new Map(b)) : [new Map<string, FieldCondition>()];
    parseObject(forks, path, alternative, true, context);
    branches.push(...forks);
    if (branches.length > MAX_OR_COMBINATIONS) {
      throw new InvalidEventPatternError(
        `Rule is too complex - its $or alternatives expand to more than ${MAX_OR_COMBINATIONS} combinations; ` +
          'use fewer $or alternatives or split the pattern into several rules',
      );
    }
  }
  if (node.items.length < 2) throw new InvalidEventPatternError('There must have at least 2 Objects in $or relationship.');
}

function writeField(branches: MutableBranch[], path: string, node: JsonNode & { kind: 'array' }): void {
  let condition: FieldCondition;
  try {
    condition = fieldCondition(path, node);
  } catch (e) {
    throw e instanceof InvalidEventPatternError ? e.inField(path) : e;
  }
  if (branches.length === 0) branches.push(new Map());
  for (const b of branches) b.set(path, condition);
}

/** A field's value list: plain values and operator objects, any of which may match. */
function fieldCondition(path: string, node: JsonNode & { kind: 'array' }): FieldCondition {
  const matchers: Matcher[] = [];
  let existsTrue = false;
  let existsFalse = false;
  for (const item of node.items) {
    switch (item.kind) {
      case 'object': {
        const m = matchExpression(item);
        if (m === EXISTS_TRUE) existsTrue = true;
        else if (m === EXISTS_FALSE) existsFalse = true;
        else matchers.push(m);
        break;
      }
      case 'string': {
        const ip = parseIp(item.value);
        matchers.push(ip ? new ExactIp(item.value, ip) : new ExactString(item.value));
        break;
      }
      case 'number': {
        const c = comparableFromText(item.text);
        // A number too small for a double (1e-999) is not zero to AWS, which compares its text.
        const underflow = item.value === 0 && /[1-9]/.test(item.text.replace(/[eE].*$/, ''));
        matchers.push(new ExactNumber(item.text, underflow ? Number.NaN : item.value, c.ok ? c.micros : undefined));
        break;
      }
      case 'true': matchers.push(new ExactLiteral(true)); break;
      case 'false': matchers.push(new ExactLiteral(false)); break;
      case 'null': matchers.push(new ExactLiteral(null)); break;
      case 'array':
        throw new InvalidEventPatternError('Match value must be String, number, true, false, or null');
    }
  }
  if (node.items.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed');
  return { path, matchers, existsTrue, existsFalse };
}
