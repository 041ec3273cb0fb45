/**
 * The AWS-verified EventBridge pattern cases kept outside the repository
 * (../shared/conformance/eventbridge-patterns.json, see its README): where they are, and their shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ConformanceCase {
  readonly id: string;
  readonly pattern: unknown;
  readonly patternRaw?: boolean;
  readonly event: unknown;
  readonly expect: 'match' | 'no-match' | 'invalid-pattern';
  readonly families: readonly string[];
}

/**
 * `<repo root>/../shared/conformance/`; from a git worktree nested deeper
 * (e.g. /work/wt/<branch>) the nearest ancestor that has shared/conformance.
 */
function findCasesFile(): string {
  const wanted = (dir: string): string => resolve(dir, 'shared', 'conformance', 'eventbridge-patterns.json');
  let dir = dirname(repoRoot);
  for (;;) {
    if (existsSync(wanted(dir))) return wanted(dir);
    const up = dirname(dir);
    if (up === dir) return wanted(dirname(repoRoot));
    dir = up;
  }
}

export const conformanceCasesFile = findCasesFile();

/** The cases, or undefined when the file is not beside the checkout. */
export function readConformanceCases(): ConformanceCase[] | undefined {
  return existsSync(conformanceCasesFile) ? (JSON.parse(readFileSync(conformanceCasesFile, 'utf8')) as ConformanceCase[]) : undefined;
}

/** A case's pattern as the JSON text a rule would carry. */
export function patternText(c: ConformanceCase): string {
  return c.patternRaw ? String(c.pattern) : JSON.stringify(c.pattern);
}
