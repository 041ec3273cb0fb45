/**
 * The synth cache of `busline dev` (lib/cli/cached-synth.ts): a start with nothing changed uses
 * the stored assembly; a change to anything the synth read (the stack, a handler or a file it
 * imports, a schema, cdk.json's context) synthesizes again and says what changed.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedSynth, describeSynth, type CachedSynth } from '../../lib/cli/cached-synth.ts';
import { TINY_FILES, tinyProject, type TinyProject } from './support/tiny-project.ts';

let project: TinyProject;
let cacheDir: string;
let first: CachedSynth;
const synth = (): Promise<CachedSynth> => cachedSynth({ projectDir: project.dir, cacheDir });

before(async () => {
  project = tinyProject();
  cacheDir = mkdtempSync(join(tmpdir(), 'busline-dev-synth-cache-'));
  first = await synth();
});
after(() => {
  project.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Writes `text` to `path`, synthesizes, and puts the file back as it was (the first synth's record then matches again). */
async function afterEdit(path: string, text: string): Promise<CachedSynth> {
  project.write(path, text);
  try {
    return await synth();
  } finally {
    project.write(path, TINY_FILES[path]!);
  }
}

test('the first synth of an app runs it and says there was none before', () => {
  assert.equal(first.cached, false);
  assert.equal(first.reason, 'no earlier synth of this app');
  assert.ok(existsSync(join(first.dir, 'manifest.json')));
});

test('going back to an earlier state uses its stored assembly', { timeout: 120_000 }, async () => {
  await afterEdit('handlers/keep.ts', TINY_FILES['handlers/keep.ts']!.replace('shout(note.text)', 'note.text'));
  const back = await synth();
  assert.equal(back.cached, true);
  assert.equal(back.key, first.key);
});

test('a start with nothing changed uses the stored assembly', { timeout: 120_000 }, async () => {
  const again = await synth();
  assert.equal(again.cached, true);
  assert.equal(again.dir, first.dir);
});

test('an edit to the stack synthesizes again, naming the stack file', { timeout: 120_000 }, async () => {
  const edited = await afterEdit('stack.ts', TINY_FILES['stack.ts']!.replace("source: 'test.notes'", "source: 'test.memos'"));
  assert.equal(edited.cached, false);
  assert.equal(edited.reason, 'changed: stack.ts');
  assert.notEqual(edited.key, first.key);
});

test('an edit to a file a handler imports synthesizes again, naming that file', { timeout: 120_000 }, async () => {
  const edited = await afterEdit('handlers/shout.ts', 'export const shout = (text: string): string => `${text}!`;\n');
  assert.equal(edited.reason, 'changed: handlers/shout.ts');
});

test('an edit to a schema synthesizes again, naming the schemas folder', { timeout: 120_000 }, async () => {
  const edited = await afterEdit('schemas/note.sent/v1.json', TINY_FILES['schemas/note.sent/v1.json']!.replace('"title": "note.sent v1",', '"title": "note.sent v1", "description": "A note.",'));
  assert.equal(edited.reason, 'changed: schemas');
});

test("a change to cdk.json's context synthesizes again", { timeout: 120_000 }, async () => {
  const edited = await afterEdit('cdk.json', TINY_FILES['cdk.json']!.replace('"plain"', '"loud"'));
  assert.equal(edited.reason, 'the app command, its cdk.json context or Busline changed');
});

test('the line for a cached synth says so, with the start of the hash and the time', () => {
  assert.equal(describeSynth({ dir: '/x', key: 'abc123def456', cached: true, ms: 40 }), 'synth: cached (hash abc123de) in 40 ms');
});

test('the line for a synth says why it ran', () => {
  assert.equal(
    describeSynth({ dir: '/x', key: 'abc123def456', cached: false, reason: 'changed: stack.ts', ms: 8123 }),
    'synth: changed: stack.ts; synthesized (hash abc123de) in 8.1 s',
  );
});
