/**
 * Finds stack classes and their constructors in masked source (see source-mask.ts): a class
 * whose superclass's name ends in `Stack` (`Stack`, `cdk.Stack`, a team's `BaseStack`).
 * Offsets are into the masked text, which are offsets into the source.
 */

export interface StackClass {
  readonly name: string;
  /** Index of the class body's `{` and of its matching `}`. */
  readonly bodyOpen: number;
  readonly bodyClose: number;
}

export interface ConstructorSpan {
  /** Index of the constructor body's `{` and of its matching `}`. */
  readonly bodyOpen: number;
  readonly bodyClose: number;
}

const STACK_CLASS = /\bclass\s+([A-Za-z_$][\w$]*)(?:\s*<[^{]*?>)?\s+extends\s+([A-Za-z_$][\w$.]*)/g;

export function findStackClasses(masked: string): StackClass[] {
  const classes: StackClass[] = [];
  for (const m of masked.matchAll(STACK_CLASS)) {
    const superclass = m[2]!.split('.').pop()!;
    if (!/Stack$/.test(superclass)) continue;
    const bodyOpen = masked.indexOf('{', m.index + m[0].length);
    const bodyClose = bodyOpen === -1 ? -1 : matching(masked, bodyOpen, '{', '}');
    if (bodyClose === -1) continue;
    classes.push({ name: m[1]!, bodyOpen, bodyClose });
  }
  return classes;
}

/**
 * The constructors declared directly in a class body (not in a nested class or object).
 * Returns undefined when one is found whose parameters or body do not balance.
 */
export function findConstructors(masked: string, cls: StackClass): ConstructorSpan[] | undefined {
  const spans: ConstructorSpan[] = [];
  let depth = 0;
  for (let i = cls.bodyOpen + 1; i < cls.bodyClose; i++) {
    const c = masked[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && c === 'c' && /^constructor\s*\(/.test(masked.slice(i, i + 40)) && !/[\w$.]/.test(masked[i - 1] ?? '')) {
      const paramsOpen = masked.indexOf('(', i);
      const paramsClose = matching(masked, paramsOpen, '(', ')');
      if (paramsClose === -1) return undefined;
      const bodyOpen = paramsClose + 1 + (/^\s*/.exec(masked.slice(paramsClose + 1))?.[0].length ?? 0);
      if (masked[bodyOpen] !== '{') return undefined;
      const bodyClose = matching(masked, bodyOpen, '{', '}');
      if (bodyClose === -1 || bodyClose > cls.bodyClose) return undefined;
      spans.push({ bodyOpen, bodyClose });
      i = bodyClose;
    }
  }
  return spans;
}

/** Index of the bracket closing the one at `open`, or -1. */
export function matching(masked: string, open: number, opener: string, closer: string): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i;
  }
  return -1;
}
