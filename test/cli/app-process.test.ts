/**
 * How `busline dev` starts the CDK app command (lib/cli/app-process.ts): `npx tsx <file>` and
 * `tsx <file>` run as `node --import tsx <file>` when the project has tsx (one process instead of
 * three); anything else runs through the shell as written.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { appProcess } from '../../lib/cli/app-process.ts';

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(join(CHECKOUT, 'package.json')).resolve('tsx')).href;
const withoutTsx = mkdtempSync(join(tmpdir(), 'busline-no-tsx-'));
after(() => rmSync(withoutTsx, { recursive: true, force: true }));

test('npx tsx <file> runs the file on node with the project\'s tsx loader, without a shell', () => {
  assert.deepEqual(appProcess('npx tsx bin/app.ts', CHECKOUT), { command: 'node', args: ['--import', TSX_LOADER, 'bin/app.ts'], shell: false });
});

test('tsx <file> with arguments keeps the arguments after the file', () => {
  assert.deepEqual(appProcess('tsx bin/app.ts --stage dev', CHECKOUT), { command: 'node', args: ['--import', TSX_LOADER, 'bin/app.ts', '--stage', 'dev'], shell: false });
});

const RUN_AS_WRITTEN: ReadonlyArray<readonly [string, string]> = [
  ['a command with shell syntax', 'npx tsc && npx tsx bin/app.ts'],
  ['tsx with options before the file', 'npx tsx --tsconfig tsconfig.app.json bin/app.ts'],
  ['another runner (ts-node)', 'npx ts-node --prefer-ts-exts bin/app.ts'],
];
for (const [what, app] of RUN_AS_WRITTEN) {
  test(`${what} runs through the shell as written`, () => {
    assert.deepEqual(appProcess(app, CHECKOUT), { command: app, args: [], shell: true });
  });
}

test('a project without tsx installed runs npx tsx through the shell (npx finds or fetches it)', () => {
  const app = 'npx tsx bin/app.ts';
  assert.deepEqual(appProcess(app, withoutTsx), { command: app, args: [], shell: true });
});
