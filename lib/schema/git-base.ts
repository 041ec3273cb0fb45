/**
 * The base side of `busline check --base <ref>`: which schema files changed since the ref
 * (committed, staged, unstaged or untracked) and what each held at the ref (`git show ref:path`).
 */
import { execFileSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { JsonSchema } from './schema-set.ts';

export class GitBaseError extends Error {
  override readonly name = 'GitBaseError';
}

function git(cwd: string, args: readonly string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new GitBaseError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr ?? e.message).trim()}`);
  }
}

export interface GitBase {
  readonly ref: string;
  /** Absolute paths of schema files that differ from the ref or are new. */
  readonly changedFiles: ReadonlySet<string>;
  /** Content of a file at the ref, undefined when it did not exist there. */
  schemaAt(file: string): JsonSchema | undefined;
}

export function gitBase(schemasDir: string, ref: string): GitBase {
  const dir = resolve(schemasDir);
  const root = git(dir, ['rev-parse', '--show-toplevel']).trim();
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new GitBaseError(`--base ${ref} is not a commit in ${root}: pass a branch, tag or commit (e.g. origin/main)`);
  }
  const rel = relative(root, dir) || '.';
  const listed = [
    ...git(root, ['diff', '--name-only', ref, '--', rel]).split('\n'),
    ...git(root, ['ls-files', '--others', '--exclude-standard', '--', rel]).split('\n'),
  ];
  const changedFiles = new Set(listed.filter((p) => p.endsWith('.json')).map((p) => resolve(root, p)));
  return {
    ref,
    changedFiles,
    schemaAt(file: string): JsonSchema | undefined {
      const path = relative(root, resolve(file));
      let text: string;
      try {
        text = execFileSync('git', ['show', `${ref}:${path}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined; // not in the base: a new file
      }
      try {
        return JSON.parse(text) as JsonSchema;
      } catch (err) {
        throw new GitBaseError(`${path} at ${ref} is not valid JSON (${(err as Error).message})`);
      }
    },
  };
}
