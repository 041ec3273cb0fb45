import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleComposition, formatComposition } from '../../bench/lib/bundle-composition.ts';

const NODE_MODULES = resolve(import.meta.dirname, '../../node_modules');

test('a bundle is split into its dependencies, its generated validators and the handler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'busline-bundle-test-'));
  try {
    const src = join(dir, 'src', 'fn');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'validators.mjs'), `export const validators = { 'signup.created': (d) => typeof d.email === 'string' };\n`);
    writeFileSync(join(dir, 'handler.mjs'), `export default async (d) => { globalThis.seen = d.email; };\n`);
    writeFileSync(join(src, 'entry.mjs'), [
      `import middy from '@middy/core';`,
      `import { validators } from './validators.mjs';`,
      `import handle from '../../handler.mjs';`,
      `export const handler = middy(async (e) => { if (validators['signup.created'](e)) await handle(e); });`,
    ].join('\n'));
    const parts = new Map(bundleComposition(join(src, 'entry.mjs'), NODE_MODULES).map((p) => [p.part, p.bytes]));
    assert.deepEqual([...parts.keys()].sort(), ['@middy/core', 'entry (generated glue)', 'handler (handler.mjs)', 'validators (generated from the schemas)']);
    for (const bytes of parts.values()) assert.ok(bytes > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parts under 1% of the bundle are left out of the sentence, the rest in KB', () => {
  assert.equal(formatComposition([{ part: 'runtime: dedupe/', bytes: 14_500 }, { part: 'x', bytes: 100 }]), 'runtime: dedupe/ 14.5 KB');
});
