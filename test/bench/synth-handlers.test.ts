import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynthHandlers } from '../../bench/synth/handlers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the synth apps get one distinct handler per subscription, so neither can reuse one bundle for all', () => {
  const { handlerFiles } = writeSynthHandlers(dir, 3);
  const sources = handlerFiles.map((f) => readFileSync(f, 'utf8'));
  assert.equal(new Set(sources).size, 3);
  assert.ok(sources.every((s) => s.includes('export default async function')));
});

test('the plain app\'s entries wrap each handler as the constructs do: handler, generated validators, wrapHandler, config', () => {
  const { handlerFiles, entryFiles } = writeSynthHandlers(dir, 2);
  const entry = readFileSync(entryFiles[1]!, 'utf8');
  assert.ok(entry.includes(`import userHandler from ${JSON.stringify(handlerFiles[1])}`));
  assert.match(entry, /import \{ validators \} from ".*validators\.mjs"/);
  assert.match(entry, /export const handler = wrapHandler\(userHandler, \{ config: \{"flow":"Orders","subscription":"sub-1"/);
});
