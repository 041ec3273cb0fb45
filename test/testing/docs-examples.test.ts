/**
 * docs/testing.md's examples run as they are written: every fenced block with a `file=<path>`
 * info string is written into a fresh project folder (under test/.tmp, so aws-cdk-lib resolves
 * from this repository's node_modules; `busline` resolves to lib/ through the project's
 * tsconfig paths and vitest aliases), then the node:test file runs with `node --test` and the
 * vitest file with vitest. The jest file runs in a `cdk init` project in
 * test/package/consumer-apps.test.ts (the packed tarball, jest's CommonJS loader).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT = join(ROOT, 'test', '.tmp', `docs-examples-${process.pid}`);
/** The environment of a runner started from this test: without node:test's own marker, which would make a child `node --test` report to this process instead of its stdout. */
const { NODE_TEST_CONTEXT: _parentRunner, ...childEnv } = process.env;
const ENTRIES = { busline: 'constructs', 'busline/runtime': 'runtime', 'busline/local': 'local', 'busline/testing': 'testing' } as const;

/** The `file=` blocks of the document, by path. */
function exampleFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/^```\w+ file=(\S+)\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

const files = exampleFiles(readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8'));

before(() => {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(PROJECT, path)), { recursive: true });
    writeFileSync(join(PROJECT, path), text);
  }
  const paths = Object.fromEntries(Object.entries(ENTRIES).map(([name, dir]) => [name, [join(ROOT, 'lib', dir, 'index.ts')]]));
  writeFileSync(join(PROJECT, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, allowImportingTsExtensions: true, noEmit: true, paths },
  }, null, 2));
  const aliases = Object.entries(ENTRIES).map(([name, dir]) => `{ find: /^${name.replace('/', '\\/')}$/, replacement: ${JSON.stringify(join(ROOT, 'lib', dir, 'index.ts'))} }`);
  writeFileSync(join(PROJECT, 'vitest.config.mts'), [
    "import { defineConfig } from 'vitest/config';",
    `export default defineConfig({ resolve: { alias: [${aliases.join(', ')}] }, test: { include: ['test/**/*.vitest.test.ts'] } });`,
  ].join('\n'));
});
after(() => {
  rmSync(PROJECT, { recursive: true, force: true });
});

test('the document has the flow, its handlers and schemas, and the three tests for node:test, vitest and jest', () => {
  for (const path of ['lib/greetings-stack.ts', 'functions/greet.ts', 'functions/record.ts', 'functions/refuse.ts', 'schemas/greeting.sent/v1.json',
    'test/greetings.node.test.ts', 'test/greetings.vitest.test.ts', 'test/greetings.jest.test.ts']) {
    assert.ok(files.has(path), `docs/testing.md has no \`file=${path}\` block`);
  }
  const names = (path: string) => [...files.get(path)!.matchAll(/^test\((['"])(.*?)\1/gm)].map((m) => m[2]);
  assert.deepEqual(names('test/greetings.vitest.test.ts'), names('test/greetings.node.test.ts'));
  assert.deepEqual(names('test/greetings.jest.test.ts'), names('test/greetings.node.test.ts'));
});

test('the node:test example passes as written', { timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/greetings.node.test.ts'], { cwd: PROJECT, env: childEnv, encoding: 'utf8', timeout: 600_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^# pass 3$/m);
});

test('the vitest example passes as written', { timeout: 600_000 }, () => {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.config.mts'], { cwd: PROJECT, env: childEnv, encoding: 'utf8', timeout: 600_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout.replace(/\x1b\[[0-9;]*m/g, ''), /Tests\s+3 passed/);
});
