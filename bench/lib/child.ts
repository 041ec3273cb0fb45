/**
 * Fresh-process measurements: spawns `node` with the given arguments, discards its stdout
 * (the measured code's logs), keeps the tail of stderr for error messages, and reads one
 * JSON report the child writes on fd 3. Resolves with the report and the wall time from
 * spawn to the report.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ChildRun<T> {
  readonly report: T;
  /** ms from spawn() to the report's arrival. */
  readonly wallMs: number;
}

export function runChild<T>(nodeArgs: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<ChildRun<T>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, nodeArgs, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    let stderr = '';
    let report = '';
    let reportAt = 0;
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4000);
    });
    const fd3 = child.stdio[3] as Readable;
    fd3.on('data', (c: Buffer) => {
      if (reportAt === 0) reportAt = performance.now();
      report += c.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!report.trim()) {
        reject(new Error(`node ${nodeArgs.join(' ')} exited with ${signal ?? `code ${code}`} without a report: ${stderr.trim().split('\n').slice(-5).join(' / ')}`));
        return;
      }
      resolve({ report: JSON.parse(report) as T, wallMs: reportAt - started });
    });
  });
}
