import { parseArgs, type ParseArgsConfig } from 'node:util';

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * Parses a command's arguments the one way every command shares: `--help` prints the usage
 * (exit 0); an unknown or malformed option prints what is wrong, then the usage (exit 2).
 * Returns the parsed arguments, or the exit code when the command should stop there.
 * `config.options` must declare `help: { type: 'boolean', short: 'h' }`.
 */
export function parseCommandArgs<const T extends ParseArgsConfig>(usage: string, config: T): Parsed<T> | number {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs(config); // strict by default: unknown options and stray positionals throw
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return parsed;
}
