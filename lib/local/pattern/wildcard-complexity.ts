/**
 * AWS refuses wildcard patterns that would make matching too non-deterministic
 * ("Rule is too complex - try using fewer wildcard characters or fewer repeating
 * character sequences after a wildcard character"). Its measure, the
 * "complexity", is how many wildcard-pattern prefixes a worst-case input value
 * matches at once: `*a*a*a*` has complexity 7 (`*`, `*a`, `*a*`, `*a*a`, ...).
 * We compute the same measure for the wildcard operands of each field with a
 * subset construction over their automata, keeping the largest set reached.
 *
 * AWS does not publish its threshold. Our measure reproduces AWS's matcher on
 * its own reference values (`*a*a*a*` = 7, `a*aaa` + `aa*aa` = 7, ...), and a
 * public report gives the bound: a field with four `*:stack/<name>/*` operands
 * (complexity 12) was refused as too complex where three (complexity 9) were
 * accepted (vals-ai/Valkyrie#278, April 2026). We refuse above 10.
 */
import { InvalidEventPatternError } from './errors.ts';
import type { WildcardPieces } from './wildcard.ts';

/** Highest wildcard complexity accepted in one field. */
export const WILDCARD_COMPLEXITY_LIMIT = 10;
/** Bound on the work spent evaluating one field (distinct state sets explored); past it the largest complexity seen so far is kept, so a huge operand set may be accepted that AWS would refuse. */
const MAX_EXPLORED_SETS = 2_000;

const STAR = -1;

/** Tokens of `"<operand>"`: char codes, with STAR for each wildcard (AWS matches the quoted form). */
function tokens(pieces: WildcardPieces, quoted: boolean): number[] {
  const out: number[] = quoted ? [0x22] : [];
  pieces.forEach((piece, i) => {
    if (i > 0) out.push(STAR);
    for (let k = 0; k < piece.length; k++) out.push(piece.charCodeAt(k));
  });
  if (quoted) out.push(0x22);
  return out;
}

/** The complexity (worst-case number of wildcard prefixes matched at once) of these operands of one field. */
/**
 * @param cap evaluation stops once this complexity is reached (the answer is then `cap`)
 * @param quoted AWS matches JSON string values with their quotes; false gives the bare-operand measure
 */
export function wildcardComplexity(
  operands: readonly WildcardPieces[], cap = WILDCARD_COMPLEXITY_LIMIT + 1, quoted = true,
): number {
  if (operands.length === 0) return 0;
  const automata = operands.map((o) => tokens(o, quoted));
  // A state is (automaton, position, arrived): `arrived` is 1 when the state was
  // entered by consuming the character before `position` (a prefix ending in that
  // character), 0 when entered through a wildcard (looping, or skipping it).
  const encode = (a: number, p: number, arrived: number): number => (a * 65536 + p) * 2 + arrived;
  const decode = (s: number): [number, number, number] => [Math.floor(s / 131072), Math.floor(s / 2) % 65536, s % 2];
  const closure = (states: Iterable<number>): number[] => {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const [a, p] = decode(s);
      if (automata[a]![p] === STAR) stack.push(encode(a, p + 1, 0)); // a wildcard may match nothing
    }
    return [...seen].sort((x, y) => x - y);
  };
  const alphabet = new Set<number>();
  for (const t of automata) for (const c of t) if (c !== STAR) alphabet.add(c);
  alphabet.add(-2); // any other character
  const step = (set: readonly number[], c: number): number[] => {
    const next: number[] = [];
    for (const s of set) {
      const [a, p] = decode(s);
      const t = automata[a]![p];
      if (t === undefined) continue; // past the closing quote: no outgoing moves
      if (t === STAR) next.push(encode(a, p, 0));
      else if (t === c) next.push(encode(a, p + 1, 1));
    }
    return closure(next);
  };
  /**
   * The prefixes live after a character: each state entered by that character
   * (a prefix ending in it) and each wildcard the automaton now sits on (a
   * prefix ending in `*`: once `ab` matched, `ab*` matches too).
   */
  const weight = (set: readonly number[]): number => {
    let total = 0;
    const wildcards = new Set<number>(); // a wildcard counts once, however it was reached
    for (const s of set) {
      const [a, p, arrived] = decode(s);
      if (arrived) total++;
      if (automata[a]![p] === STAR) wildcards.add(a * 65536 + p);
    }
    return total + wildcards.size;
  };
  const start = closure(automata.map((_, a) => encode(a, 0, 0)));
  let max = 0;
  const seen = new Set<string>([start.join(',')]);
  const queue: number[][] = [start];
  while (queue.length) {
    const set = queue.shift()!;
    for (const c of alphabet) {
      const next = step(set, c);
      if (next.length === 0) continue;
      const w = weight(next);
      if (w > max) {
        max = w;
        if (max >= cap) return cap;
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
    if (wildcardComplexity(operands) > WILDCARD_COMPLEXITY_LIMIT) {
      throw new InvalidEventPatternError(
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      );
    }
  }
}
