/**
 * A local synth (lib/cli/synth.ts) gives the app CDK_VALIDATION=false: CDK's built-in
 * CloudFormation template validation is left to `cdk synth`, the tests and CI. A CDK_VALIDATION
 * the developer's environment sets is passed on as it is.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../lib/cli/synth.ts';

const project = mkdtempSync(join(tmpdir(), 'busline-synth-env-'));
// An app that writes an empty assembly and what CDK_VALIDATION it was given.
writeFileSync(join(project, 'app.mjs'), [
  "import { writeFileSync } from 'node:fs';",
  "import { join } from 'node:path';",
  "writeFileSync(join(process.env.CDK_OUTDIR, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: {} }));",
  "writeFileSync(join(process.env.CDK_OUTDIR, 'validation.txt'), String(process.env.CDK_VALIDATION));",
  '',
].join('\n'));
after(() => rmSync(project, { recursive: true, force: true }));

async function validationGiven(env: string | undefined): Promise<string> {
  const saved = process.env.CDK_VALIDATION;
  if (env === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = env;
  try {
    const outdir = await synthesize({ projectDir: project, app: 'node app.mjs', outdir: mkdtempSync(join(project, 'out-')) });
    return readFileSync(join(outdir, 'validation.txt'), 'utf8');
  } finally {
    if (saved === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = saved;
  }
}

test('the app runs with CDK_VALIDATION=false', async () => {
  assert.equal(await validationGiven(undefined), 'false');
});

test('a CDK_VALIDATION set in the environment is given to the app as it is', async () => {
  assert.equal(await validationGiven('true'), 'true');
});
