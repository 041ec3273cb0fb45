/**
 * The project's test files, and the one rule the runner (test/run-test-files.ts) puts on them.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Every *.test.ts under test/, relative to the working directory, sorted (the order `node --test` runs them in). */
export function allTestFiles(): string[] {
  return readdirSync(TEST_DIR, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts') && !path.split('/').includes('node_modules'))
    .map((path) => relative(process.cwd(), join(TEST_DIR, path)))
    .sort();
}

const TOP_LEVEL_TEST = /^(test|describe|it|suite)\(/;
const TOP_LEVEL_STATEMENT_AWAIT = /^(await |for await\b)/;
const TOP_LEVEL_DECLARATION = /^(export )?(const|let|var) /;

/** Whether a line at column 0 awaits: `await …`, `for await`, or a declaration that awaits outside any async function on the line. */
function awaitsAtTopLevel(line: string): boolean {
  if (TOP_LEVEL_STATEMENT_AWAIT.test(line)) return true;
  return TOP_LEVEL_DECLARATION.test(line) && /\bawait\b/.test(line.split(/\basync\b/)[0]!);
}

/**
 * Whether a test file's top level declares a test and then awaits. The runner ends a file's process
 * once the tests declared so far are done (forceExit), so a test declared after such an await may
 * never run, and nothing would say so. Top-level code is at column 0 (the project's formatting).
 */
export function declaresTestBeforeTopLevelAwait(source: string): boolean {
  let declared = false;
  for (const line of source.split('\n')) {
    if (TOP_LEVEL_TEST.test(line)) declared = true;
    else if (declared && awaitsAtTopLevel(line)) return true;
  }
  return false;
}
