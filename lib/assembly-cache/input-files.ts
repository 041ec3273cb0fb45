/**
 * The files a synthesized assembly is made of, and their content hashes: a source file with the
 * files it imports by relative path (recursively), every file under a folder, a project's
 * lockfile. Shared by the synth caches of busline/testing and `busline dev`.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
export const LOCKFILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'];

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Whether `file` is a JavaScript or TypeScript source (one whose imports are followed). */
export function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(file));
}

/** `file` and the files it imports by relative path, recursively. */
export function sourceFiles(file: string, into: Set<string>): void {
  if (into.has(file) || !isFile(file)) return;
  into.add(file);
  if (!isSourceFile(file)) return;
  for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), match[1]!);
    // A TypeScript source imports `./x.js` for `./x.ts`.
    const candidates = [...EXTENSIONS.map((e) => target + e), target.replace(/\.(c|m)?js$/, '.$1ts')];
    const found = candidates.find(isFile);
    if (found) sourceFiles(found, into);
  }
}

/** Every file under `dir` (none when it does not exist). */
export function filesUnder(dir: string, into: Set<string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, into);
    else if (entry.isFile()) into.add(path);
  }
}

/** The lockfiles of the project in `rootDir`. */
export function lockfilesOf(rootDir: string): string[] {
  return LOCKFILES.map((name) => join(rootDir, name)).filter(isFile);
}

/** Each file's path (relative to `base`, so a project moved or copied keeps its key) and contents. */
export function hashFiles(hash: Hash, files: Iterable<string>, base = process.cwd()): void {
  for (const f of [...files].sort()) hash.update(`${relative(base, f)}\0`).update(readFileSync(f)).update('\0');
}

/** The content hash of one file, or of a folder's files (their relative paths and contents); `missing` when it is neither. */
export function contentDigest(path: string): string {
  if (!existsSync(path)) return 'missing';
  const hash = createHash('sha256');
  if (statSync(path).isDirectory()) {
    const files = new Set<string>();
    filesUnder(path, files);
    hashFiles(hash, files, path);
  } else {
    hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 32);
}
