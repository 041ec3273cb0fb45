/**
 * The reference flow's generated files stay fresh: docs/catalog.md (from the synthesized flow
 * declaration and schemas/) and schemas/types.ts (from schemas/). The app is synthesized in
 * process, as `cdk synth` would, with cdk.json's context.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../bin/app.ts';
import { eventSchemaOf } from '../../lib/constructs/schema-registry.ts';
import { renderCatalog } from '../../lib/schema/catalog.ts';
import { runCompatibilityGate } from '../../lib/schema/compatibility-gate.ts';
import { readFlowManifests } from '../../lib/schema/flow-assembly.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateTypesModule } from '../../lib/schema/type-codegen.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const topics = loadSchemas(join(ROOT, 'schemas'));
let outdir = '';
let flows: FlowManifest[] = [];

before(() => {
  outdir = mkdtempSync(join(tmpdir(), 'busline-reference-'));
  const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
  createApp({ outdir, context }).synth();
  flows = readFlowManifests(outdir).map((f) => f.manifest);
});

after(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

test('docs/catalog.md is the catalog of the reference flow as synthesized now', () => {
  assert.equal(flows.length, 1, 'the reference app declares one flow');
  assert.equal(readFileSync(join(ROOT, 'docs/catalog.md'), 'utf8'), renderCatalog({ flows, topics, baseDir: ROOT }),
    'docs/catalog.md is stale: run `busline catalog` (npx tsx lib/cli/main.ts catalog) and commit it');
});

test('schemas/types.ts holds the types generated from schemas/ now', async () => {
  assert.equal(readFileSync(join(ROOT, 'schemas/types.ts'), 'utf8'), await generateTypesModule(topics.values()),
    'schemas/types.ts is stale: run `busline types` and commit it');
});

test('the reference schemas pass the compatibility gate', () => {
  assert.deepEqual(runCompatibilityGate({ topics, defaultMode: 'backward', flows }).violations, []);
});

test('every reference schema converts to the registry\'s draft 4', () => {
  for (const t of topics.values()) {
    for (const v of t.versions) assert.equal(eventSchemaOf(v, 'shop').$schema, 'http://json-schema.org/draft-04/schema#');
  }
});
