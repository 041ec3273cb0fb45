/**
 * Wildcard operands: `*` matches any run of characters (including none), `\*`
 * is a literal star and `\\` a literal backslash. AWS refuses any other escape
 * and two stars in a row. Positions in messages count from the opening quote
 * AWS puts around the value, as AWS's own messages do.
 */
import { InvalidEventPatternError } from './errors.ts';

/** The literal pieces between stars; `*` sits between consecutive pieces. */
export type WildcardPieces = readonly string[];

export function parseWildcard(operand: string): WildcardPieces {
  const pieces: string[] = [];
  let current = '';
  const quoted = `"${operand}"`;
  for (let i = 1; i < quoted.length - 1; i++) {
    const c = quoted[i];
    if (c === '*') {
      if (quoted[i + 1] === '*') throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${utf8Pos(quoted, i)}`);
      pieces.push(current);
      current = '';
    } else if (c === '\\') {
      const next = quoted[i + 1];
      // the closing quote is not part of the operand: a trailing backslash escapes nothing
      if ((next === '*' || next === '\\') && i + 1 < quoted.length - 1) {
        current += next;
        i++;
      } else {
        throw new InvalidEventPatternError(`Invalid escape character at pos ${utf8Pos(quoted, i)}`);
      }
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces;
}

function utf8Pos(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/** Does `value` match the wildcard? Greedy-free two-pointer match over the literal pieces. */
export function wildcardMatches(pieces: WildcardPieces, value: string): boolean {
  if (pieces.length === 1) return value === pieces[0];
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? '';
    const found = value.indexOf(piece, pos);
    if (found < 0 || found + piece.length > end) return false;
    pos = found + piece.length;
  }
  return true;
}
