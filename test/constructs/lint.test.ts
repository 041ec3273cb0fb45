import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createApp } from '../../bin/app.ts';
import { toolMissing } from '../support/prerequisites.ts';
import { cdkJsonContext, cleanup, tempDir } from './helpers.ts';

after(cleanup);

test('every template of the reference app passes cfn-lint with 0 errors', { skip: toolMissing('cfn-lint') }, (t) => {
  const outdir = tempDir('busline-lint-');
  createApp({ outdir, context: cdkJsonContext() }).synth();
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  assert.ok(templates.length > 0, 'the app synthesized at least one template');
  for (const file of templates) {
    const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', join(outdir, file)], { encoding: 'utf8' });
    // cfn-lint's exit code is a bit field: 2 = errors, 4 = warnings, 8 = informational.
    const findings = run.stdout.trim().split('\n').filter(Boolean);
    const errors = findings.filter((line) => /:E\d+:/.test(line));
    t.diagnostic(`${file}: ${findings.length} findings, ${errors.length} errors`);
    assert.equal(run.error, undefined);
    assert.deepEqual(errors, [], `${file} has cfn-lint errors`);
    assert.equal(run.status! & 2, 0, `${file}: cfn-lint exit status ${run.status} reports errors`);
  }
});
