/**
 * AWS refuses wildcard patterns that would make matching too non-deterministic
 * ("Rule is too complex - try using fewer wildcard characters or fewer repeating
 * character sequences after a wildcard character"). Its measure is how many
 * wildcard-pattern states a worst-case input value can keep alive at once. We
 * compute the same quantity on the wildcard operands of each field: a subset
 * construction over the operands' automata, tracking the largest set reached.
 *
 * AWS does not publish its threshold; WILDCARD_COMPLEXITY_LIMIT is our choice,
 * set where matching cost starts to dominate (AWS's matcher documents ~1,250
 * events/s at complexity 100, against 140,000 at 1).
 */
import { InvalidEventPatternError } from './errors.ts';
import type { WildcardPieces } from './wildcard.ts';

export const WILDCARD_COMPLEXITY_LIMIT = 100;
/** Bound on the work spent evaluating one field (distinct state sets explored). */
const MAX_EXPLORED_SETS = 20_000;

const STAR = -1;

/** Tokens of `"<operand>"`: char codes, with STAR for each wildcard (AWS matches the quoted form). */
function tokens(pieces: WildcardPieces): number[] {
  const out: number[] = [0x22];
  pieces.forEach((piece, i) => {
    if (i > 0) out.push(STAR);
    for (let k = 0; k < piece.length; k++) out.push(piece.charCodeAt(k));
  });
  out.push(0x22);
  return out;
}

/** The worst-case number of simultaneously live automaton states for these operands of one field. */
export function wildcardComplexity(operands: readonly WildcardPieces[], limit = WILDCARD_COMPLEXITY_LIMIT): number {
  if (operands.length === 0) return 0;
  const automata = operands.map(tokens);
  // A state is (automaton index, position); encode as a * 65536 + position.
  const encode = (a: number, p: number): number => a * 65536 + p;
  const closure = (states: Iterable<number>): number[] => {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const a = Math.floor(s / 65536);
      const p = s % 65536;
      if (automata[a]![p] === STAR) stack.push(encode(a, p + 1)); // a star may match nothing
    }
    return [...seen].sort((x, y) => x - y);
  };
  const alphabet = new Set<number>();
  for (const t of automata) for (const c of t) if (c !== STAR) alphabet.add(c);
  alphabet.add(-2); // any other character
  const step = (set: readonly number[], c: number): number[] => {
    const next: number[] = [];
    for (const s of set) {
      const a = Math.floor(s / 65536);
      const p = s % 65536;
      const t = automata[a]![p];
      if (t === undefined) continue; // accepting position: no outgoing moves
      if (t === STAR) next.push(s);
      else if (t === c) next.push(encode(a, p + 1));
    }
    return closure(next);
  };
  const start = closure(automata.map((_, a) => encode(a, 0)));
  let max = start.length;
  const seen = new Set<string>([start.join(',')]);
  const queue: number[][] = [start];
  while (queue.length) {
    const set = queue.shift()!;
    for (const c of alphabet) {
      const next = step(set, c);
      if (next.length === 0) continue;
      if (next.length > max) {
        max = next.length;
        if (max >= limit) return max;
      }
      const key = next.join(',');
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_SETS) return max;
      seen.add(key);
      queue.push(next);
    }
  }
  return max;
}

export function checkWildcardComplexity(operandsByField: ReadonlyMap<string, readonly WildcardPieces[]>): void {
  for (const operands of operandsByField.values()) {
    if (wildcardComplexity(operands) >= WILDCARD_COMPLEXITY_LIMIT) {
      throw new InvalidEventPatternError(
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      );
    }
  }
}
