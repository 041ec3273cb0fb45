/**
 * The operator objects of a value list (`{"prefix": "a"}`, `{"numeric": [...]}`,
 * `{"anything-but": ...}`, ...): each is validated in AWS's order with AWS's
 * wording and turned into a Matcher.
 */
import { InvalidEventPatternError } from './errors.ts';
import type { JsonNode } from './pattern-json.ts';
import { comparableFromText } from './numbers.ts';
import { parseCidr } from './ip.ts';
import { parseWildcard } from './wildcard.ts';
import {
  AnythingBut, AnythingButIgnoreCase, AnythingButPrefix, AnythingButSuffix, AnythingButWildcard,
  Cidr, EqualsIgnoreCase, ExactString, NumericRange, Prefix, Suffix, Wildcard,
  type Matcher, type NumericBound,
} from './matchers.ts';

export const EXISTS_TRUE = Symbol('exists:true');
export const EXISTS_FALSE = Symbol('exists:false');
export type Expression = Matcher | typeof EXISTS_TRUE | typeof EXISTS_FALSE;

function onlyKey(node: JsonNode & { kind: 'object' }, message = 'Only one key allowed in match expression'): void {
  if (node.members.length > 1) throw new InvalidEventPatternError(message);
}

const TOO_MANY = 'Too many elements in numeric expression';

/** One `{ "<operator>": <operand> }` object of a value list. */
export function matchExpression(node: JsonNode & { kind: 'object' }): Expression {
  const first = node.members[0];
  if (!first) throw new InvalidEventPatternError('Match expression name not found');
  const { key: type, value } = first;
  switch (type) {
    case 'exactly': {
      if (value.kind !== 'string') throw new InvalidEventPatternError('exact match pattern must be a string');
      onlyKey(node);
      return new ExactString(value.value);
    }
    case 'prefix':
    case 'suffix': {
      if (value.kind === 'object') {
        const m = ignoreCaseAffix(type, value);
        onlyKey(node);
        return m;
      }
      if (value.kind !== 'string') throw new InvalidEventPatternError(`${type} match pattern must be a string`);
      onlyKey(node);
      return type === 'prefix' ? new Prefix(value.value, false) : new Suffix(value.value, false);
    }
    case 'numeric': {
      if (value.kind !== 'array') throw new InvalidEventPatternError('Value of numeric must be an array.');
      const m = numericExpression(value.items);
      onlyKey(node, TOO_MANY);
      return m;
    }
    case 'anything-but': {
      const m = anythingBut(value);
      onlyKey(node, TOO_MANY);
      return m;
    }
    case 'exists': {
      if (value.kind !== 'true' && value.kind !== 'false') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.');
      }
      onlyKey(node);
      return value.kind === 'true' ? EXISTS_TRUE : EXISTS_FALSE;
    }
    case 'cidr': {
      // AWS's wording for a non-string CIDR really does say "prefix".
      if (value.kind !== 'string') throw new InvalidEventPatternError('prefix match pattern must be a string');
      const block = parseCidr(value.value);
      onlyKey(node);
      return new Cidr(block);
    }
    case 'equals-ignore-case': {
      if (value.kind !== 'string') throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string');
      onlyKey(node);
      return new EqualsIgnoreCase(value.value);
    }
    case 'wildcard': {
      if (value.kind !== 'string') throw new InvalidEventPatternError('wildcard match pattern must be a string');
      const pieces = parseWildcard(value.value);
      onlyKey(node);
      return new Wildcard(value.value, pieces);
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${type}`);
  }
}

function ignoreCaseAffix(type: 'prefix' | 'suffix', node: JsonNode & { kind: 'object' }): Matcher {
  const Type = type === 'prefix' ? 'Prefix' : 'Suffix';
  const first = node.members[0];
  if (!first) throw new InvalidEventPatternError(`${Type} expression name not found`);
  if (first.key !== 'equals-ignore-case') throw new InvalidEventPatternError(`Unsupported ${type} pattern: ${first.key}`);
  if (first.value.kind !== 'string') throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string');
  onlyKey(node);
  return type === 'prefix' ? new Prefix(first.value.value, true) : new Suffix(first.value.value, true);
}

function operand(node: JsonNode | undefined, op: string): number {
  if (!node || node.kind !== 'number') {
    throw new InvalidEventPatternError(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
  }
  const c = comparableFromText(node.text);
  if (!c.ok) throw new InvalidEventPatternError(c.reason);
  return c.micros;
}

function tokenText(node: JsonNode | undefined): string {
  if (!node) return ']';
  switch (node.kind) {
    case 'string': return node.value;
    case 'number': return node.text;
    case 'object': return '{';
    case 'array': return '[';
    default: return node.kind;
  }
}

/** `[op, n]` or `[">"|">=", n, "<"|"<=", m]`, exactly as AWS accepts them. */
function numericExpression(items: readonly JsonNode[]): Matcher {
  const [opNode, first, secondOpNode, second, extra] = items;
  if (!opNode || opNode.kind !== 'string') throw new InvalidEventPatternError(`Invalid member in numeric match: ${tokenText(opNode)}`);
  const op = opNode.value;
  switch (op) {
    case '=':
    case '<':
    case '<=': {
      const micros = operand(first, op);
      if (items.length > 2) throw new InvalidEventPatternError(TOO_MANY);
      return new NumericRange([{ op, micros }]);
    }
    case '>':
    case '>=': {
      const low = operand(first, op);
      if (items.length === 2) return new NumericRange([{ op, micros: low }]);
      if (!secondOpNode || secondOpNode.kind !== 'string') {
        throw new InvalidEventPatternError(`Bad value in numeric range: ${tokenText(secondOpNode)}`);
      }
      const op2 = secondOpNode.value;
      if (op2 !== '<' && op2 !== '<=') throw new InvalidEventPatternError(`Bad numeric range operator: ${op2}`);
      const high = operand(second, op2);
      if (extra) throw new InvalidEventPatternError('Too many terms in numeric range expression');
      if (low >= high) throw new InvalidEventPatternError('Bottom must be less than top');
      const bounds: NumericBound[] = [{ op, micros: low }, { op: op2, micros: high }];
      return new NumericRange(bounds);
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${op}`);
  }
}

type AnythingButKind = 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

function anythingBut(value: JsonNode): Matcher {
  if (value.kind === 'object') {
    const first = value.members[0];
    if (!first) throw new InvalidEventPatternError('Anything-But expression name not found');
    const kind = first.key;
    if (kind !== 'equals-ignore-case' && kind !== 'prefix' && kind !== 'suffix' && kind !== 'wildcard') {
      throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${kind}`);
    }
    const m = anythingButSet(kind, first.value);
    onlyKey(value, TOO_MANY);
    return m;
  }
  if (value.kind === 'array') return anythingButList(value.items);
  if (value.kind === 'string') return new AnythingBut(new Set([value.value]), new Set(), [JSON.stringify(value.value)]);
  if (value.kind === 'number') {
    const c = comparableFromText(value.text);
    if (!c.ok) throw new InvalidEventPatternError(c.reason);
    return new AnythingBut(new Set(), new Set([c.micros]), [value.text]);
  }
  throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
}

function anythingButList(items: readonly JsonNode[]): Matcher {
  const strings = new Set<string>();
  const micros = new Set<number>();
  const shown: string[] = [];
  for (const item of items) {
    if (item.kind === 'string') {
      strings.add(item.value);
      shown.push(JSON.stringify(item.value));
    } else if (item.kind === 'number') {
      const c = comparableFromText(item.text);
      if (!c.ok) throw new InvalidEventPatternError(c.reason);
      micros.add(c.micros);
      shown.push(item.text);
    } else {
      throw new InvalidEventPatternError('Inside anything but list, start|null|boolean is not supported.');
    }
  }
  if ((strings.size > 0) === (micros.size > 0)) {
    throw new InvalidEventPatternError('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return new AnythingBut(strings, micros, shown);
}

function anythingButSet(kind: AnythingButKind, value: JsonNode): Matcher {
  if (value.kind !== 'array' && value.kind !== 'string' && value.kind !== 'number') {
    throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
  }
  const items = value.kind === 'array' ? value.items : [value];
  const operands: string[] = [];
  for (const item of items) {
    if (item.kind !== 'string') {
      if (kind === 'equals-ignore-case') {
        throw new InvalidEventPatternError('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      if (kind === 'wildcard') throw new InvalidEventPatternError('wildcard match pattern must be a string');
      throw new InvalidEventPatternError('prefix/suffix match pattern must be a string');
    }
    if ((kind === 'prefix' || kind === 'suffix') && item.value === '') {
      throw new InvalidEventPatternError('Null prefix/suffix not allowed');
    }
    operands.push(item.value);
  }
  switch (kind) {
    case 'equals-ignore-case': return new AnythingButIgnoreCase(operands);
    case 'prefix': return new AnythingButPrefix(operands);
    case 'suffix': return new AnythingButSuffix(operands);
    case 'wildcard': return new AnythingButWildcard(operands, operands.map(parseWildcard));
  }
}
