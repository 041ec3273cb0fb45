/**
 * The EventBridge event-pattern engine: validation with AWS's verdicts and
 * messages, matching with the complete pattern language, explanations of
 * mismatches, and an index for matching one event against many rules.
 */
export { InvalidEventPatternError } from './errors.ts';
export { compilePattern, DEFAULT_MAX_PATTERN_LENGTH, type CompilePatternOptions, type EventPattern } from './event-pattern.ts';
export { formatMismatch, type PatternMismatch } from './evaluate.ts';
export { PatternIndex } from './pattern-index.ts';
export { MAX_OR_COMBINATIONS } from './compile.ts';
export { WILDCARD_COMPLEXITY_LIMIT } from './wildcard-complexity.ts';
