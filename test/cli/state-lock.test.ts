/**
 * The state folder lock of `busline dev` (lib/cli/state-lock.ts): one process holds a state
 * folder; another is refused with the holder's pid and command; a lock whose process is gone,
 * or whose pid now runs another command, does not hold the folder.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockStateFolder, StateFolderHeldError } from '../../lib/cli/state-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'busline-state-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const stateDir = (): string => mkdtempSync(join(root, `state-${n++}-`));

/** A lock file as another process would have left it. */
function leftLock(dir: string, pid: number, command: string): void {
  writeFileSync(join(dir, 'dev.lock'), `${JSON.stringify({ pid, command, startedAt: '2026-12-07T03:00:00.000Z' })}\n`);
}

test('a folder held by a live process is refused, naming its pid and command', () => {
  const dir = stateDir();
  const held = lockStateFolder(dir);
  try {
    assert.throws(() => lockStateFolder(dir), (error: unknown) => {
      assert.ok(error instanceof StateFolderHeldError);
      assert.equal(error.holder.pid, process.pid);
      assert.ok(error.holder.command.includes('state-lock.test.ts'), error.holder.command);
      assert.match(error.message, new RegExp(`held by another busline dev \\(pid ${process.pid}: `));
      return true;
    });
  } finally {
    held.release();
  }
});

test('a released folder can be taken again', () => {
  const dir = stateDir();
  lockStateFolder(dir).release();
  assert.equal(existsSync(join(dir, 'dev.lock')), false);
  lockStateFolder(dir).release();
});

test('a lock left by a process that is gone does not hold the folder', () => {
  const dir = stateDir();
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  leftLock(dir, Number(gone.stdout), `${process.execPath} bin/busline.mjs dev`);
  const lock = lockStateFolder(dir);
  lock.release();
});

test('a lock whose pid now runs another command does not hold the folder', () => {
  const dir = stateDir();
  leftLock(dir, process.pid, 'node an-earlier-busline-dev-whose-pid-was-reused');
  const lock = lockStateFolder(dir);
  lock.release();
});

test('a lock file that cannot be read as a lock does not hold the folder', () => {
  const dir = stateDir();
  writeFileSync(join(dir, 'dev.lock'), '{"pid":');
  lockStateFolder(dir).release();
});
