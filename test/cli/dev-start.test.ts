/**
 * How `busline dev` starts, run as the developer runs it (a process in the project folder): the
 * first start synthesizes and says why; a start with nothing changed uses the cached synth and
 * says so; a second `busline dev` on a state folder the first holds exits at once with one line
 * naming the first (pid and command), leaving the first running.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tinyProject, type TinyProject } from './support/tiny-project.ts';

const BIN = fileURLToPath(new URL('../../bin/busline.mjs', import.meta.url));

interface Dev {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

function dev(project: TinyProject): Dev {
  const child = spawn(process.execPath, [BIN, 'dev', '--state', join(project.dir, '.busline'), '--port', '0', '--quiet'], {
    cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Resolves once the engine serves; rejects (with the output) if it exits first. */
async function ready(d: Dev): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const check = (): void => { if (/on http:\/\/127\.0\.0\.1:\d+/.test(d.output())) resolve(); };
    d.child.stdout!.on('data', check);
    check();
    void d.exited.then((code) => reject(new Error(`busline dev exited (${code}) before serving:\n${d.output()}`)));
  });
}

async function stop(d: Dev): Promise<void> {
  if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
  await d.exited;
}

let project: TinyProject;
let first: Dev;

before(async () => {
  project = tinyProject();
  first = dev(project);
  await ready(first);
}, { timeout: 240_000 });
after(async () => {
  await stop(first);
  project.remove();
});

test('the first start synthesizes and says why', () => {
  assert.match(first.output(), /^synth: no earlier synth of this app; synthesized \(hash [0-9a-f]{8}\) in [\d.]+ (ms|s)$/m);
});

test('a second busline dev on the same state folder exits non-zero with one line naming the first', { timeout: 120_000 }, async () => {
  const second = dev(project);
  const code = await second.exited;
  assert.equal(code, 1);
  const lines = second.output().trim().split('\n');
  assert.equal(lines.length, 1, second.output());
  assert.match(lines[0]!, new RegExp(`^busline dev: .*held by another busline dev \\(pid ${first.child.pid}: \\S*node\\S* ${BIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} dev `));
});

test('the first busline dev keeps serving after a second was refused', { timeout: 120_000 }, async () => {
  const second = dev(project);
  await second.exited;
  assert.equal(first.child.exitCode, null);
  const session = await fetch(new URL('/', /on (http:\/\/127\.0\.0\.1:\d+)/.exec(first.output())![1]!)).catch((e: unknown) => e);
  assert.ok(session instanceof Response, String(session));
});

test('a start with nothing changed uses the cached synth and says so', { timeout: 240_000 }, async () => {
  await stop(first);
  first = dev(project);
  await ready(first);
  assert.match(first.output(), /^synth: cached \(hash [0-9a-f]{8}\) in \d+ ms$/m);
});
