/** Starts bench/support/floor-child.ts and waits for the endpoint it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface FloorProcess {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./floor-child.ts', import.meta.url));

export async function spawnFloor(file: string): Promise<FloorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { endpoint: string }).endpoint));
    child.once('exit', (code) => reject(new Error(`floor child exited (${code}) before starting: ${stderr}`)));
  });
  return {
    endpoint,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
