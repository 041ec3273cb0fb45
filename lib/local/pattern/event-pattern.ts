/**
 * A compiled EventBridge event pattern: validated once, then matched against
 * any number of events.
 */
import { compileBranches, type Branch } from './compile.ts';
import { InvalidEventPatternError } from './errors.ts';
import { branchMatches, explainBranch, type PatternMismatch } from './evaluate.ts';
import { flattenEvent, prefixesOf, type EventFields } from './event-fields.ts';

export interface EventPattern {
  /** The pattern as given. */
  readonly text: string;
  /** `event` is a parsed JSON object (an EventBridge event). */
  matches(event: unknown): boolean;
  /** Which field and condition failed; undefined when the pattern matches. */
  explain(event: unknown): PatternMismatch | undefined;
}

export class CompiledPattern implements EventPattern {
  /** Every dotted prefix of the paths this pattern reads (what flattening must visit). */
  readonly neededPaths: ReadonlySet<string>;

  constructor(readonly text: string, readonly branches: readonly Branch[]) {
    const paths: string[] = [];
    for (const b of branches) paths.push(...b.keys());
    this.neededPaths = prefixesOf(paths);
  }

  matches(event: unknown): boolean {
    return this.matchesFields(flattenEvent(event, this.neededPaths));
  }

  /** Match against an event already flattened (PatternIndex flattens once for all rules). */
  matchesFields(fields: EventFields): boolean {
    for (const b of this.branches) if (branchMatches(b, fields)) return true;
    return false;
  }

  explain(event: unknown): PatternMismatch | undefined {
    const fields = flattenEvent(event, this.neededPaths);
    // With $or, report the alternative that got furthest before failing.
    let best: { mismatch: PatternMismatch | undefined; satisfied: number } | undefined;
    for (const b of this.branches) {
      const r = explainBranch(b, fields);
      if (!r.mismatch) return undefined;
      if (!best || r.satisfied > best.satisfied) best = r;
    }
    return best?.mismatch;
  }
}

/** EventBridge's "Event pattern size" quota (characters), adjustable per account. */
export const DEFAULT_MAX_PATTERN_LENGTH = 2048;

export interface CompilePatternOptions {
  /**
   * Longest pattern text accepted, in characters.
   * @default 2048 - EventBridge's default "Event pattern size" quota
   */
  readonly maxLength?: number;
}

/**
 * Validate and compile pattern text. Throws InvalidEventPatternError with AWS's
 * reason for anything AWS refuses, including text that is not JSON and JSON
 * that is not an object.
 */
export function compilePattern(pattern: string, options: CompilePatternOptions = {}): CompiledPattern {
  if (typeof pattern !== 'string') {
    throw new InvalidEventPatternError(`the pattern must be JSON text (a string), got ${pattern === null ? 'null' : typeof pattern}`);
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_PATTERN_LENGTH;
  if (pattern.length > maxLength) {
    throw new InvalidEventPatternError(
      `event pattern is ${pattern.length} characters long, over the ${maxLength}-character limit ` +
        '(EventBridge "Event pattern size" quota); shorten it or split it into several rules',
    );
  }
  return new CompiledPattern(pattern, compileBranches(pattern));
}
