import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonPackageVersion, scriptInterpreter } from '../../bench/lib/python-version.ts';

/** Runs `body` with PATH holding only a folder with the given executable scripts. */
function withScripts(scripts: Record<string, string>, body: () => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-python-'));
  const path = process.env.PATH;
  try {
    for (const [name, text] of Object.entries(scripts)) {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    }
    process.env.PATH = dir;
    body();
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a console script\'s interpreter is the one its shebang names', () => {
  withScripts({ tool: '#!/opt/py/bin/python3.11\nimport sys\n' }, () => assert.equal(scriptInterpreter('tool'), '/opt/py/bin/python3.11'));
});

test('a shebang through env names the interpreter in its argument', () => {
  withScripts({ tool: '#!/usr/bin/env python3\n' }, () => assert.equal(scriptInterpreter('tool'), 'python3'));
});

test('a script missing from PATH has no interpreter, and its version says so', () => {
  withScripts({}, () => {
    assert.equal(scriptInterpreter('moto_server'), undefined);
    assert.equal(pythonPackageVersion('moto_server', 'moto'), 'moto: moto_server not found on PATH');
  });
});
