/**
 * One matcher per pattern operand (`"a"`, `{ "prefix": "a" }`, ...). A matcher
 * tests one leaf value of the event: a string, number, boolean or null.
 *
 * AWS matches on the JSON text of a leaf: strings carry their quotes, numbers,
 * `true`, `false` and `null` do not. That is why `prefix`/`suffix`/`wildcard`
 * only ever match strings, while every `anything-but` form matches numbers and
 * `null` too (their text is never one of the excluded strings).
 */
import { comparableFromNumber, formatMicros } from './numbers.ts';
import { parseIp, type CidrBlock, type IpAddress } from './ip.ts';
import { wildcardMatches, type WildcardPieces } from './wildcard.ts';
import { IgnoreCaseText } from './ignore-case.ts';

export type Leaf = string | number | boolean | null;

export interface Matcher {
  /** Used by explain(): the condition in words, e.g. `> 100`, `"a"`, `a string starting with "x"`. */
  readonly description: string;
  /** The anything-but family reads better with its own wording: `"x" is excluded by anything-but ...`. */
  readonly excludes?: boolean;
  test(value: Leaf): boolean;
}


const q = (s: string): string => JSON.stringify(s);
export const formatLeaf = (v: Leaf): string => (typeof v === 'string' ? q(v) : String(v));


export class ExactString implements Matcher {
  readonly description: string;
  constructor(readonly expected: string) {
    this.description = q(expected);
  }
  test(v: Leaf): boolean {
    return v === this.expected;
  }
}

/** A pattern string that is an IP literal matches the same address however it is written. */
export class ExactIp implements Matcher {
  readonly description: string;
  constructor(readonly text: string, private readonly ip: IpAddress) {
    this.description = q(text);
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'string') return false;
    if (v === this.text) return true;
    const ip = parseIp(v);
    return ip !== undefined && ip.version === this.ip.version && ip.value === this.ip.value;
  }
}

/**
 * A number in a value list matches an equal number (300 matches 300.0) when
 * both have a comparable form, and otherwise only the same number.
 */
export class ExactNumber implements Matcher {
  readonly description: string;
  constructor(readonly text: string, readonly value: number, private readonly micros: number | undefined) {
    this.description = text;
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'number') return false;
    if (this.micros !== undefined) {
      const m = comparableFromNumber(v);
      if (m !== undefined) return m === this.micros;
    }
    return v === this.value;
  }
}

export class ExactLiteral implements Matcher {
  readonly description: string;
  constructor(readonly expected: boolean | null) {
    this.description = String(expected);
  }
  test(v: Leaf): boolean {
    return v === this.expected;
  }
}

export class Prefix implements Matcher {
  readonly description: string;
  private readonly folded: IgnoreCaseText | undefined;
  constructor(readonly prefix: string, readonly ignoreCase: boolean) {
    this.description = `a string starting with ${q(prefix)}${ignoreCase ? ' (ignoring case)' : ''}`;
    this.folded = ignoreCase ? new IgnoreCaseText(prefix) : undefined;
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'string') return false;
    return this.folded ? this.folded.isPrefixOf(v) : v.startsWith(this.prefix);
  }
}

export class Suffix implements Matcher {
  readonly description: string;
  private readonly folded: IgnoreCaseText | undefined;
  constructor(readonly suffix: string, readonly ignoreCase: boolean) {
    this.description = `a string ending with ${q(suffix)}${ignoreCase ? ' (ignoring case)' : ''}`;
    this.folded = ignoreCase ? new IgnoreCaseText(suffix) : undefined;
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'string') return false;
    return this.folded ? this.folded.isSuffixOf(v) : v.endsWith(this.suffix);
  }
}

export class EqualsIgnoreCase implements Matcher {
  readonly description: string;
  private readonly folded: IgnoreCaseText;
  constructor(readonly expected: string) {
    this.description = `${q(expected)} (ignoring case)`;
    this.folded = new IgnoreCaseText(expected);
  }
  test(v: Leaf): boolean {
    return typeof v === 'string' && this.folded.equals(v);
  }
}

export class Wildcard implements Matcher {
  readonly description: string;
  constructor(readonly operand: string, readonly pieces: WildcardPieces) {
    this.description = `a string matching wildcard ${q(operand)}`;
  }
  test(v: Leaf): boolean {
    return typeof v === 'string' && wildcardMatches(this.pieces, v);
  }
}

export interface NumericBound {
  readonly op: '>' | '>=' | '<' | '<=' | '=';
  readonly micros: number;
}

export class NumericRange implements Matcher {
  readonly description: string;
  constructor(private readonly bounds: readonly NumericBound[]) {
    this.description = bounds.map((b) => `${b.op} ${formatMicros(b.micros)}`).join(' and ');
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'number') return false;
    const m = comparableFromNumber(v);
    if (m === undefined) return false;
    for (const b of this.bounds) {
      switch (b.op) {
        case '>': if (!(m > b.micros)) return false; break;
        case '>=': if (!(m >= b.micros)) return false; break;
        case '<': if (!(m < b.micros)) return false; break;
        case '<=': if (!(m <= b.micros)) return false; break;
        case '=': if (m !== b.micros) return false; break;
      }
    }
    return true;
  }
}

export class Cidr implements Matcher {
  readonly description: string;
  constructor(private readonly block: CidrBlock) {
    this.description = `an IP address in ${block.text}`;
  }
  test(v: Leaf): boolean {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== undefined && ip.version === this.block.version && ip.value >= this.block.low && ip.value <= this.block.high;
  }
}

/** `anything-but` with strings or numbers: any leaf except the listed values. */
export class AnythingBut implements Matcher {
  readonly description: string;
  readonly excludes = true;
  constructor(private readonly strings: ReadonlySet<string>, private readonly micros: ReadonlySet<number>, shown: readonly string[]) {
    this.description = `anything but ${shown.join(', ')}`;
  }
  test(v: Leaf): boolean {
    if (typeof v === 'string') return !this.strings.has(v);
    if (typeof v === 'number') {
      const m = comparableFromNumber(v);
      return m === undefined || !this.micros.has(m);
    }
    return true;
  }
}

export class AnythingButIgnoreCase implements Matcher {
  readonly description: string;
  readonly excludes = true;
  private readonly folded: readonly IgnoreCaseText[];
  constructor(values: readonly string[]) {
    this.description = `anything but ${values.map(q).join(', ')} (ignoring case)`;
    this.folded = values.map((v) => new IgnoreCaseText(v));
  }
  test(v: Leaf): boolean {
    return typeof v !== 'string' || !this.folded.some((f) => f.equals(v));
  }
}

export class AnythingButPrefix implements Matcher {
  readonly description: string;
  readonly excludes = true;
  constructor(private readonly prefixes: readonly string[]) {
    this.description = `anything but a string starting with ${prefixes.map(q).join(' or ')}`;
  }
  test(v: Leaf): boolean {
    return typeof v !== 'string' || !this.prefixes.some((p) => v.startsWith(p));
  }
}

export class AnythingButSuffix implements Matcher {
  readonly description: string;
  readonly excludes = true;
  constructor(private readonly suffixes: readonly string[]) {
    this.description = `anything but a string ending with ${suffixes.map(q).join(' or ')}`;
  }
  test(v: Leaf): boolean {
    return typeof v !== 'string' || !this.suffixes.some((s) => v.endsWith(s));
  }
}

export class AnythingButWildcard implements Matcher {
  readonly description: string;
  readonly excludes = true;
  constructor(operands: readonly string[], private readonly pieces: readonly WildcardPieces[]) {
    this.description = `anything but a string matching wildcard ${operands.map(q).join(' or ')}`;
  }
  test(v: Leaf): boolean {
    return typeof v !== 'string' || !this.pieces.some((p) => wildcardMatches(p, v));
  }
}

