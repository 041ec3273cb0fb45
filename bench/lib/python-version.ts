/**
 * The version of a Python package behind a console script (moto behind moto_server), read
 * with importlib.metadata by the interpreter the script runs under: never written by hand.
 * The script is found on PATH; a pyenv shim is resolved to the script it runs.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The Python interpreter a console script's shebang names, following a pyenv shim. */
export function scriptInterpreter(command: string): string | undefined {
  let script = onPath(command);
  if (!script) return undefined;
  const firstLine = (file: string) => readFileSync(file, 'utf8').slice(0, 400).split('\n')[0] ?? '';
  if (!/python/.test(firstLine(script)) && /pyenv/.test(readFileSync(script, 'utf8').slice(0, 2000))) {
    script = execFileSync('pyenv', ['which', command], { encoding: 'utf8' }).trim();
  }
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine(script));
  if (!shebang) return undefined;
  // "#!/usr/bin/env python3" names the interpreter in its argument.
  return shebang[1]!.endsWith('/env') ? shebang[2] : shebang[1];
}

/** "moto 5.2.1", or why it could not be read. */
export function pythonPackageVersion(command: string, distribution: string): string {
  try {
    const python = scriptInterpreter(command);
    if (!python) return `${distribution}: ${command} not found on PATH`;
    const version = execFileSync(python, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(distribution)}))`], { encoding: 'utf8' }).trim();
    return `${distribution} ${version}`;
  } catch (error) {
    return `${distribution}: version not readable (${(error as Error).message.split('\n')[0]})`;
  }
}
