/**
 * `busline <command> [args]`: every command is a module lib/cli/commands/<name>.ts exporting
 * `run(argv: string[]): Promise<number>` (the exit code) and optionally `summary` (one line
 * for `busline help`). Adding a command is adding a file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extname, join } from 'node:path';

const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));
/** `.ts` when run from the sources, `.js` when run from the built package (dist/esm). */
const EXT = extname(fileURLToPath(import.meta.url));

interface CommandModule {
  run(argv: string[]): Promise<number>;
  readonly summary?: string;
}

export function commandNames(): string[] {
  return readdirSync(COMMANDS_DIR).filter((f) => f.endsWith(EXT) && !f.endsWith(`.d${EXT}`)).map((f) => f.slice(0, -EXT.length)).sort();
}

async function loadCommand(name: string): Promise<CommandModule | undefined> {
  const file = join(COMMANDS_DIR, `${name}${EXT}`);
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as CommandModule;
}

async function usage(): Promise<string> {
  const lines = ['usage: busline <command> [options]', '', 'commands:'];
  for (const name of commandNames()) {
    const mod = await loadCommand(name);
    lines.push(`  ${name.padEnd(10)} ${mod?.summary ?? ''}`);
  }
  lines.push('', 'Run `busline <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(await usage());
    return name ? 0 : 1;
  }
  const command = await loadCommand(name);
  if (!command) {
    console.error(`busline: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const e = error as Error;
    console.error(`busline ${name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
