/**
 * How the CDK app command is started. `npx tsx <file> [args]` (or `tsx <file> [args]`), as the
 * reference app's cdk.json has it, starts three Node processes one after the other: npm's npx,
 * the tsx command, then the app. When tsx is installed in the project, the app
 * is started as the tsx documentation shows for running Node with tsx, `node --import tsx <file>`:
 * the same node from PATH, the same tsx, one process (about 1.3 s of CPU less on every synth).
 * Any other command, or one with options, quotes or shell syntax, runs through the shell as given.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A process to spawn: `command` with `args`, through the shell when `shell`. */
export interface AppProcess {
  readonly command: string;
  readonly args: readonly string[];
  readonly shell: boolean;
}

/** Only words of these characters are taken apart: anything else may mean something to the shell. */
const PLAIN_WORDS = /^[\w@%+=:,./-]+(\s+[\w@%+=:,./-]+)*$/;

export function appProcess(app: string, projectDir: string): AppProcess {
  const asGiven: AppProcess = { command: app, args: [], shell: true };
  const command = app.trim();
  if (!PLAIN_WORDS.test(command)) return asGiven;
  const words = command.split(/\s+/);
  const [file, ...args] = words[0] === 'npx' ? words.slice(words[1] === 'tsx' ? 2 : words.length) : words[0] === 'tsx' ? words.slice(1) : [];
  if (!file || file.startsWith('-')) return asGiven;
  const loader = tsxLoader(projectDir);
  if (!loader) return asGiven;
  return { command: 'node', args: ['--import', loader, file, ...args], shell: false };
}

/** The file URL of tsx's Node loader as the project resolves it (what `--import tsx` names), or undefined when the project has no tsx. */
function tsxLoader(projectDir: string): string | undefined {
  try {
    return pathToFileURL(createRequire(join(projectDir, 'package.json')).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}
