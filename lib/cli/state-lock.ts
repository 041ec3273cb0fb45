/**
 * One `busline dev` per state folder: `<state>/dev.lock` names the process that holds the folder
 * (pid, command line, start time). A second one is refused with that name before it touches
 * anything. A lock left by a process that is gone (killed, crashed) does not hold the folder.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StateLockHolder {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

export class StateFolderHeldError extends Error {
  override readonly name = 'StateFolderHeldError';
  constructor(readonly stateDir: string, readonly holder: StateLockHolder) {
    super(
      `state folder ${stateDir} is held by another busline dev (pid ${holder.pid}: ${holder.command}, since ${holder.startedAt}): ` +
        'stop it, or pass --state <another folder>',
    );
  }
}

export interface StateLock {
  /** Frees the folder (only if this process still holds it). */
  release(): void;
}

const LOCK_FILE = 'dev.lock';

/** Takes the state folder for this process, or throws StateFolderHeldError naming the live process that holds it. */
export function lockStateFolder(stateDir: string): StateLock {
  const file = join(resolve(stateDir), LOCK_FILE);
  const command = commandLineOf(process.pid) ?? [process.execPath, ...process.execArgv, ...process.argv.slice(1)].join(' ');
  const mine: StateLockHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, text, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const seen = readIfExists(file);
    if (seen === undefined) continue;
    const holder = parseHolder(seen);
    if (holder && isAlive(holder)) throw new StateFolderHeldError(resolve(stateDir), holder);
    // Left by a process that is gone: taken over, unless another process took it meanwhile.
    if (readIfExists(file) === seen) rmSync(file, { force: true });
  }
  const release = (): void => {
    if (readIfExists(file) === text) rmSync(file, { force: true });
    process.removeListener('exit', release);
  };
  process.on('exit', release);
  return { release };
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): StateLockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<StateLockHolder>;
    return Number.isInteger(h.pid) && typeof h.command === 'string' && typeof h.startedAt === 'string' ? (h as StateLockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder's process still runs. Where /proc shows command lines (Linux), a process
 * with the same pid running another command is a reused pid, not the holder.
 */
function isAlive(holder: StateLockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const running = commandLineOf(holder.pid);
  return running === undefined || running === holder.command;
}

/** The command line of a process, where /proc shows it. */
function commandLineOf(pid: number): string | undefined {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) ? readIfExists(file)?.split('\0').filter(Boolean).join(' ') : undefined;
}
