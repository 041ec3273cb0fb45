/** Runs the `busline` command (bin/busline.mjs) as a user would, in its own process. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUSLINE = fileURLToPath(new URL('../../../bin/busline.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface BuslineRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `env` is the whole environment of the command (plus PATH and HOME), so the test says what it gives. */
export function runBusline(args: readonly string[], env: Readonly<Record<string, string>>, cwd = REPO): Promise<BuslineRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUSLINE, ...args], {
      cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
