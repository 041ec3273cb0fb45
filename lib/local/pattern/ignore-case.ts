/**
 * Case-insensitive matching the way AWS does it: each character of the
 * pattern matches either its lower-case or its upper-case form (root locale),
 * and the event's text is compared as is. The two forms can differ in length
 * (`İ` lower-cases to two characters), so matching tracks a set of positions.
 */
export class IgnoreCaseText {
  /** For each pattern character, the forms it accepts. */
  private readonly alternatives: ReadonlyArray<readonly string[]>;

  constructor(readonly text: string) {
    const alts: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const lower = c.toLowerCase();
      const upper = c.toUpperCase();
      alts.push(lower === upper ? [lower] : [lower, upper]);
    }
    this.alternatives = alts;
  }

  /** End positions reachable matching the whole pattern from `start`. */
  private forward(value: string, start: number): Set<number> {
    let positions = new Set([start]);
    for (const alts of this.alternatives) {
      const next = new Set<number>();
      for (const p of positions) for (const a of alts) if (value.startsWith(a, p)) next.add(p + a.length);
      if (next.size === 0) return next;
      positions = next;
    }
    return positions;
  }

  equals(value: string): boolean {
    return this.forward(value, 0).has(value.length);
  }

  isPrefixOf(value: string): boolean {
    return this.forward(value, 0).size > 0;
  }

  isSuffixOf(value: string): boolean {
    let positions = new Set([value.length]);
    for (let i = this.alternatives.length - 1; i >= 0; i--) {
      const next = new Set<number>();
      for (const p of positions) {
        for (const a of this.alternatives[i]!) {
          const from = p - a.length;
          if (from >= 0 && value.startsWith(a, from)) next.add(from);
        }
      }
      if (next.size === 0) return false;
      positions = next;
    }
    return true;
  }
}
