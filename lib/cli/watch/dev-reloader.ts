/**
 * What `busline dev` does with a burst of changed files: sorts them into handler, schema and
 * stack changes, reloads what they touch in the running engine (never restarting it, so queued
 * and in-flight messages, tables, the journal and the archive stay) and says in one line what
 * changed, what was reloaded and how long it took. A change that does not build keeps the last
 * good version running and says why, with the file and line; the next change tries again.
 *
 *   handler   a file some function's bundle reads → those functions are rebuilt and swapped
 *   schema    `<schemas>/<topic>/v<N>.json` edited → validators (and `<schemas>/types.ts`) are
 *             regenerated, and the functions that consume or publish the topic rebuilt
 *   stack     any other source file, cdk.json, or a schema version added or removed → the app is
 *             synthesized again and the difference applied (lib/local/app-update.ts)
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { LocalApp } from '../../local/app.ts';
import { loadFlowContext, type FlowContext } from '../flow-context.ts';
import { HandlerBundles, type WatchedFunction } from './handler-bundles.ts';
import { reloadSchemas, topicOfSchemaFile, withJsonLocation } from './schema-reload.ts';
import { describeAppUpdate } from './app-update-line.ts';

export interface DevReloaderOptions {
  readonly app: LocalApp;
  readonly assemblyDir: string;
  readonly projectDir: string;
  /** A folder of the reloader's own (rebuilt bundles). */
  readonly workDir: string;
  readonly print: (line: string) => void;
  /**
   * Synthesizes the app into `outdir`, returning the assembly folder; called on a stack change.
   * @default - stack changes are not reloaded (an engine started on a given assembly)
   */
  readonly synthesize?: (outdir: string) => Promise<string>;
  /** Told the new assembly after a stack change was applied (dev.json names it). */
  readonly onAssembly?: (assemblyDir: string) => void;
}

/** How one reload ended: what the terminal line said. */
export interface ReloadOutcome {
  readonly ok: boolean;
  readonly line: string;
}

/** Files of a stack: what the CDK app runs. Other files (docs, data) change nothing. */
const STACK_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);

export class DevReloader {
  private synths = 0;
  /** Generations (synthesis and bundles folders) the engine may still run code from: the newest two that succeeded. */
  private readonly generations = [0];
  /** Files the reloader wrote (a regenerated types file), with what it wrote: their change is its own. */
  private readonly written = new Map<string, string>();

  private constructor(private readonly options: DevReloaderOptions, private bundles: HandlerBundles, private context: FlowContext) {}

  static async start(options: DevReloaderOptions): Promise<DevReloader> {
    const context = loadFlowContext(options.assemblyDir);
    const bundles = await HandlerBundles.discover(context, options.assemblyDir, options.projectDir, join(options.workDir, 'bundles', '0'));
    return new DevReloader(options, bundles, context);
  }

  /** Reloads what `files` (absolute paths) touch and prints one line; undefined when they touch nothing. Never throws. */
  async reload(files: readonly string[]): Promise<ReloadOutcome | undefined> {
    const started = performance.now();
    const plan = this.plan(files);
    if (!plan) return undefined;
    const cause = `(${plan.files.map((f) => this.show(f)).join(', ')} changed)`;
    let line: string;
    let ok = true;
    try {
      const what = plan.kind === 'stack' ? await this.reloadStack() : plan.kind === 'schema' ? await this.reloadSchema(plan.schemasDir, plan.topics) : await this.reloadHandlers(plan.functions);
      line = `reloaded ${what.done} ${cause} in ${elapsed(started)}${what.after ? `\n${what.after}` : ''}`;
    } catch (error) {
      ok = false;
      line = `reload failed ${cause}: ${(error as Error).message}\nstill running the last good version; fix it and save to reload`;
    }
    this.options.print(line);
    return { ok, line };
  }

  private plan(files: readonly string[]):
    | { kind: 'handler'; files: string[]; functions: WatchedFunction[] }
    | { kind: 'schema'; files: string[]; schemasDir: string; topics: string[] }
    | { kind: 'stack'; files: string[] }
    | undefined {
    const handlers = new Map<string, WatchedFunction>();
    const handlerFiles: string[] = [];
    const schemaFiles: string[] = [];
    const topics = new Set<string>();
    let schemasDir: string | undefined;
    const stackFiles: string[] = [];
    for (const file of files) {
      if (this.written.has(file) && existsSync(file) && readFileSync(file, 'utf8') === this.written.get(file)) continue;
      const readers = this.bundles.affectedBy(file);
      const schemas = this.bundles.functions.map((fn) => fn.schemasDir).find((dir) => topicOfSchemaFile(dir, file) !== undefined);
      if (schemas !== undefined && existsSync(file) && this.knownSchemaFile(file)) {
        schemaFiles.push(file);
        topics.add(topicOfSchemaFile(schemas, file)!);
        schemasDir = schemas;
      } else if (readers.length > 0) {
        handlerFiles.push(file);
        for (const fn of readers) handlers.set(fn.functionName, fn);
      } else if (this.options.synthesize && (schemas !== undefined || STACK_EXTENSIONS.has(extname(file)))) {
        stackFiles.push(file);
      }
    }
    // A stack change rebuilds everything from a new synthesis; so does a burst touching two schema folders.
    if (stackFiles.length > 0) return { kind: 'stack', files: [...stackFiles, ...schemaFiles, ...handlerFiles] };
    if (schemaFiles.length > 0 && schemasDir !== undefined) {
      if (handlerFiles.length > 0 && this.options.synthesize) return { kind: 'stack', files: [...schemaFiles, ...handlerFiles] };
      return { kind: 'schema', files: schemaFiles, schemasDir, topics: [...topics] };
    }
    if (handlerFiles.length > 0) return { kind: 'handler', files: handlerFiles, functions: [...handlers.values()] };
    return undefined;
  }

  /** A schema version the running flow declares (a new or removed version changes the stack's manifest). */
  private knownSchemaFile(file: string): boolean {
    for (const flow of this.context.flows) {
      const dir = resolve(this.options.projectDir, flow.manifest.schemasDir);
      for (const topic of flow.manifest.topics) {
        if (topic.versions.some((v) => join(dir, topic.name, `v${v}.json`) === file)) return true;
      }
    }
    return false;
  }

  private async reloadHandlers(functions: readonly WatchedFunction[]): Promise<{ done: string; after?: string }> {
    await this.swap(functions, await this.bundles.rebuild(functions));
    return { done: this.names(functions) };
  }

  private async reloadSchema(schemasDir: string, topics: readonly string[]): Promise<{ done: string; after?: string }> {
    const functions = [...new Set(topics.flatMap((t) => this.bundles.usingTopic(t)))];
    let reload;
    try {
      reload = await reloadSchemas(schemasDir, functions);
    } catch (error) {
      const file = /schema file (\S+)/.exec((error as Error).message)?.[1];
      throw new Error(file ? withJsonLocation((error as Error).message, file) : (error as Error).message, { cause: error });
    }
    for (const fn of functions) this.bundles.setValidators(fn, reload.validators.get(fn.functionName)!);
    await this.swap(functions, await this.bundles.rebuild(functions));
    if (reload.typesFile) this.written.set(reload.typesFile, readFileSync(reload.typesFile, 'utf8'));
    const types = reload.typesFile ? `, ${this.show(reload.typesFile)} regenerated` : '';
    const who = functions.length > 0 ? this.names(functions) : 'no function';
    return { done: `${topics.join(', ')} validators for ${who}${types}` };
  }

  private async reloadStack(): Promise<{ done: string; after?: string }> {
    const n = ++this.synths;
    const outdir = join(this.options.workDir, 'synth', String(n));
    let assemblyDir: string;
    try {
      assemblyDir = await this.options.synthesize!(outdir);
    } catch (error) {
      rmSync(outdir, { recursive: true, force: true });
      throw error;
    }
    const update = await this.options.app.update(assemblyDir);
    this.context = loadFlowContext(assemblyDir);
    const previous = this.bundles;
    this.bundles = await HandlerBundles.discover(this.context, assemblyDir, this.options.projectDir, join(this.options.workDir, 'bundles', String(n)));
    await previous.dispose();
    this.options.onAssembly?.(assemblyDir);
    // The engine runs the new assembly; an invocation that started on the one before may still
    // be finishing. Older ones go.
    this.generations.push(n);
    for (const old of this.generations.splice(0, this.generations.length - 2)) {
      for (const dir of ['synth', 'bundles']) rmSync(join(this.options.workDir, dir, String(old)), { recursive: true, force: true });
    }
    const said = describeAppUpdate(update, (name) => this.context.label(name));
    return { done: `the stack: ${said.summary}`, ...(said.kept ? { after: said.kept } : {}) };
  }

  /** Ends the rebuilds' esbuild contexts. */
  async dispose(): Promise<void> {
    await this.bundles.dispose();
  }

  private async swap(functions: readonly WatchedFunction[], codeDirs: ReadonlyMap<string, string>): Promise<void> {
    const runner = this.options.app.runner;
    // Each new bundle is loaded (and kept warm) before it takes over: one that throws while it
    // loads leaves the function on its last good code.
    const swapped = await Promise.allSettled(functions.map((fn) => runner.replaceWarm({ ...runner.get(fn.functionName), codeDir: codeDirs.get(fn.functionName)! })));
    const failed = swapped.flatMap((r, i) => (r.status === 'rejected' ? [`${functions[i]!.subscription} failed to load: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  private names(functions: readonly WatchedFunction[]): string {
    return functions.map((fn) => fn.subscription).join(', ');
  }

  private show(file: string): string {
    return relative(this.options.projectDir, file) || file;
  }
}

function elapsed(started: number): string {
  const ms = performance.now() - started;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
