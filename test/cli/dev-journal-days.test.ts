/** busline dev --journal-days: how long the journal keeps its records (lib/local/retention.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorsOf } from './support/main-errors.ts';
import { startDev } from '../../lib/cli/commands/dev.ts';
import { readJournal } from '../../lib/local/journal/journal.ts';
import { cachedAssembly } from '../../lib/testing/synth-cache.ts';
import { greetingsStack, GREETINGS_DIR } from '../fixtures/greetings-flow/stack.ts';

test('--journal-days that is not a whole number of days exits 2, saying what it takes', async () => {
  const { code, text } = await errorsOf(['dev', '--journal-days', 'week', '--state', '/nonexistent-busline-state']);
  assert.equal(code, 2);
  assert.match(text, /--journal-days week is not a whole number of days \(0 keeps every record\)/);
});

test('busline dev keeps the journal for its journal days: a record older than them is dropped', async () => {
  const assembly = cachedAssembly(greetingsStack(), join(process.cwd(), 'node_modules', '.cache', 'busline', 'synth'));
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-dev-journal-days-'));
  mkdirSync(join(stateDir, 'journal'));
  const old = { seq: 1, at: new Date(Date.now() - 3 * 24 * 60 * 60 * 1000).toISOString(), kind: 'delivery.deleted', queue: 'q', messageId: 'm-1' };
  writeFileSync(join(stateDir, 'journal', 'journal.jsonl'), `${JSON.stringify(old)}\n`);
  const { app, dashboard } = await startDev({
    port: 0, stateDir, projectDir: join(GREETINGS_DIR, '.'), assembly, quiet: true, print: () => {}, journalRetentionDays: 2,
  });
  try {
    await app.engine.applyRetention(); // runs after the one the start began
    assert.deepEqual((await readJournal(stateDir)).filter((r) => r.seq === 1), []);
  } finally {
    await dashboard.stop();
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
