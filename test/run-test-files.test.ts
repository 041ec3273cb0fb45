/**
 * test/run-test-files.ts, the runner `npm test` ends with: what it does with a file that hangs, one
 * that fails, and one that leaves something running. Each case runs it on small test files written
 * to a temporary folder, with a file timeout of 8 s instead of CI's 15 minutes: a file's process
 * starts with tsx (the runner's own --import), which alone took over 2 s under CI's load.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allTestFiles, declaresTestBeforeTopLevelAwait } from './support/test-files.ts';

const FILE_TIMEOUT_S = 8;
const RUNNER = fileURLToPath(new URL('./run-test-files.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'busline-run-test-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HANG = 'await new Promise(() => setInterval(() => {}, 1000));';
let files = 0;

/** A test file in the temporary folder whose one test runs `body`. */
function testFile(body: string): string {
  const path = join(dir, `case-${++files}.test.mjs`);
  writeFileSync(path, `import { test } from 'node:test';\nimport { existsSync, writeFileSync } from 'node:fs';\ntest('case ${files}', async () => {\n${body}\n});\n`);
  return path;
}

// Without NODE_TEST_CONTEXT, which the runner sets in a test file's process: run() there runs nothing.
const { NODE_TEST_CONTEXT: _, ...env } = process.env;

/** Runs the runner on `paths`; resolves with its exit code and output (stdout, then stderr). */
function runner(paths: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', RUNNER, ...paths], {
      env: { ...env, BUSLINE_TEST_FILE_TIMEOUT_MS: String(FILE_TIMEOUT_S * 1000) }, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
    });
  });
}

test('a file that hangs once is stopped at its timeout, run again on its own, and the run passes when that run does, saying so', async () => {
  const marker = join(dir, 'hung-once');
  const hangsOnce = testFile(`if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); ${HANG} }`);
  const passes = testFile('');
  const { code, output } = await runner([hangsOnce, passes]);
  assert.equal(code, 0, output);
  assert.match(output, /failureType: 'testTimeoutFailure'/);
  assert.ok(output.includes(`# run-test-files: ${hangsOnce} ran past ${FILE_TIMEOUT_S} s and was stopped; running it once more, alone`), output);
  assert.ok(output.includes(`# run-test-files: run again, ${hangsOnce} passed`), output);
});

test('a file that hangs every time fails the run', async () => {
  const { code, output } = await runner([testFile(HANG)]);
  assert.equal(code, 1, output);
  assert.match(output, /# run-test-files: run again, \S+ failed/);
});

test('a file whose test fails fails the run and is not run again', async () => {
  const { code, output } = await runner([testFile("throw new Error('this case fails');"), testFile('')]);
  assert.equal(code, 1, output);
  assert.match(output, /this case fails/);
  assert.doesNotMatch(output, /run-test-files:/);
});

test("a file whose test leaves a timer running ends when its tests are done, well before its timeout", async () => {
  const { code, output } = await runner([testFile('setInterval(() => {}, 1000);')]);
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /testTimeoutFailure/);
});

test('a test declared after a top-level await that follows another test is dropped without a word: why test files may not do that', async () => {
  const path = join(dir, `case-${++files}.test.mjs`);
  writeFileSync(path, "import { test } from 'node:test';\ntest('declared first', () => {});\nawait new Promise((r) => setTimeout(r, 200));\ntest('declared after the await', () => {});\n");
  const { code, output } = await runner([path]);
  assert.equal(code, 0, output);
  assert.match(output, /ok 1 - declared first/);
  assert.doesNotMatch(output, /declared after the await/);
});

test('the check flags a test declared before a top-level await, not one declared after it, nor an await inside an async function', () => {
  assert.equal(declaresTestBeforeTopLevelAwait("test('a', () => {});\nconst v = ready ? {} : await load();\n"), true);
  assert.equal(declaresTestBeforeTopLevelAwait("test('a', () => {});\nconst load = async () => await read();\n"), false);
  assert.equal(declaresTestBeforeTopLevelAwait("const v = await load();\ntest('a', () => {});\n"), false);
});

test('no test file declares a test before a top-level await', () => {
  assert.deepEqual(allTestFiles().filter((file) => declaresTestBeforeTopLevelAwait(readFileSync(file, 'utf8'))), []);
});
