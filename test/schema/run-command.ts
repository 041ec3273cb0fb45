/**
 * Runs one schema CLI command (lib/cli/commands/<name>.ts) in a child process, as `busline
 * <name> …` would, and returns its exit code and output. A child keeps the command's
 * stdout/stderr apart from the test runner's.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Absolute, so the command also runs with a cwd outside the project (a temporary git repo).
const TSX = import.meta.resolve('tsx');

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCommand(name: string, argv: readonly string[], cwd: string): Promise<CommandResult> {
  const entry = `${ROOT}lib/cli/commands/${name}.ts`;
  const script = `const m = await import(${JSON.stringify(entry)}); process.exitCode = await m.run(${JSON.stringify(argv)});`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
