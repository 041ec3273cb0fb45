/**
 * What kind of CDK app `busline init` is in, read from the files `cdk init` makes: cdk.json's
 * `app` command names the entry file (bin/<app>.ts or .js); its extension gives the language,
 * package.json's `"type"` the module format; the entry's relative imports lead to the stack.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { maskSource } from './source-mask.ts';
import { findStackClasses } from './stack-class.ts';

export type AppLanguage = 'typescript' | 'javascript';
/** Module format of the files init writes: `esm` when package.json says `"type": "module"`. */
export type ModuleFormat = 'commonjs' | 'esm';

export interface AppLayout {
  /** Absolute root folder (where cdk.json is). */
  readonly root: string;
  readonly packageName?: string;
  /** Whether package.json lists busline in dependencies or devDependencies. */
  readonly hasBuslineDependency: boolean;
  readonly language: AppLanguage;
  readonly format: ModuleFormat;
  /** Absolute path of the entry file cdk.json's `app` runs, when there is one. */
  readonly entryFile?: string;
  /** Files that declare a class extending Stack and that the entry uses (else lib/*-stack.*). */
  readonly stackFiles: readonly string[];
}

/** Raised when the folder is not the root of a CDK app. */
export class InitAppError extends Error {
  override readonly name = 'InitAppError';
}

const SCRIPT = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

export function readAppLayout(rootDir: string): AppLayout {
  const root = resolve(rootDir);
  const cdkJson = readJson(join(root, 'cdk.json'));
  if (cdkJson === undefined) {
    throw new InitAppError(`no cdk.json in ${root}: run busline init in the root folder of a CDK app (one made by \`cdk init app --language typescript\`, say)`);
  }
  const pkg = readJson(join(root, 'package.json')) ?? {};
  const app = typeof cdkJson.app === 'string' ? cdkJson.app : '';
  const entryFile = entryFileOf(root, app);
  const language: AppLanguage = entryFile
    ? (/\.[mc]?ts$/.test(entryFile) ? 'typescript' : 'javascript')
    : (existsSync(join(root, 'tsconfig.json')) ? 'typescript' : 'javascript');
  const deps = { ...(pkg.dependencies as object | undefined), ...(pkg.devDependencies as object | undefined) };
  return {
    root,
    packageName: typeof pkg.name === 'string' ? pkg.name : undefined,
    hasBuslineDependency: Object.hasOwn(deps, 'busline'),
    language,
    format: pkg.type === 'module' ? 'esm' : 'commonjs',
    entryFile,
    stackFiles: stackFilesOf(root, entryFile),
  };
}

/** Where stack files were looked for, for messages. */
export function stackSearchOf(layout: AppLayout): string {
  return layout.entryFile ? `${relative(layout.root, layout.entryFile)} or the files it imports, nor in lib/*-stack.*` : 'lib/*-stack.* (cdk.json names no entry file)';
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch (error) {
    throw new InitAppError(`${file} is not valid JSON (${(error as Error).message}): fix it first`);
  }
}

/** `npx tsc && npx tsx bin/my-app.ts` → <root>/bin/my-app.ts (the first word naming a script that exists). */
function entryFileOf(root: string, app: string): string | undefined {
  for (const word of app.split(/\s+|&&|;/)) {
    const path = word.replace(/^['"]|['"]$/g, '');
    if (SCRIPT.test(path) && isFile(join(root, path))) return join(root, path);
  }
  return undefined;
}

function stackFilesOf(root: string, entryFile: string | undefined): string[] {
  if (entryFile) {
    const files = [entryFile, ...relativeImportsOf(entryFile)].filter((file) => declaresStack(file));
    if (files.length > 0) return [...new Set(files)];
  }
  const lib = join(root, 'lib');
  if (!existsSync(lib)) return [];
  return readdirSync(lib).filter((name) => /-stack\.(?:ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts'))
    .map((name) => join(lib, name)).filter((file) => declaresStack(file));
}

/** Files named by the relative `import … from '…'`, `import '…'` and `require('…')` of a file. */
function relativeImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const masked = maskSource(source);
  const files: string[] = [];
  // Masked text keeps the quotes, so the specifier is read from the source at the same offsets.
  const opening = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])/g;
  for (const m of masked.matchAll(opening)) {
    const start = m.index + m[0].length;
    const end = masked.indexOf(m[1]!, start);
    const specifier = source.slice(start, end);
    if (!specifier.startsWith('.')) continue;
    const resolved = resolveScript(dirname(file), specifier);
    if (resolved) files.push(resolved);
  }
  return files;
}

/** Resolves a relative specifier the ways TypeScript and Node do for a script: as written, `.js` → `.ts`, or with an extension added. */
function resolveScript(fromDir: string, specifier: string): string | undefined {
  const base = join(fromDir, specifier);
  const ext = extname(base);
  const swapped = ext === '.js' ? [base.slice(0, -3) + '.ts'] : ext === '.mjs' ? [base.slice(0, -4) + '.mts'] : ext === '.cjs' ? [base.slice(0, -4) + '.cts'] : [];
  const added = ['.ts', '.js', '.mts', '.mjs', '.cts', '.cjs'].flatMap((e) => [base + e, join(base, `index${e}`)]);
  return [base, ...swapped, ...added].find((candidate) => SCRIPT.test(candidate) && !candidate.endsWith('.d.ts') && isFile(candidate));
}

function declaresStack(file: string): boolean {
  return findStackClasses(maskSource(readFileSync(file, 'utf8'))).length > 0;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The folder's name, for a source when package.json has no name. */
export function folderName(layout: AppLayout): string {
  return basename(layout.root);
}
