/**
 * The handler bundles `busline dev` rebuilds while it runs. Synthesis leaves each flow's
 * generated sources in the cloud assembly (`.busline/<flow>/src/<subscription>/entry.mjs` and
 * `validators.mjs`, see lib/constructs/bundler.ts); this copies them into the state folder and
 * rebuilds only the functions a change touches, with the options synthesis bundles them with.
 * esbuild's metafile says which files each function's bundle reads, so a change to a handler or
 * to anything it imports finds the functions it affects. Each function has an esbuild context of
 * its own, which keeps what it parsed: a rebuild parses only the files that changed.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { context, type BuildContext, type BuildFailure, type BuildOptions } from 'esbuild';
import { describeBuildMessages, FLOW_BUNDLES_DIR, flowPathHash, functionEntryPoints, handlerBuildOptions } from '../../constructs/bundler.ts';
import type { FlowContext } from '../flow-context.ts';

/** One subscription's function, as the watcher rebuilds it. */
export interface WatchedFunction {
  /** The subscription's name (what the terminal calls it). */
  readonly subscription: string;
  readonly functionName: string;
  /** Topics whose validators its bundle holds: those it consumes, then those it publishes. */
  readonly topics: readonly string[];
  /** Absolute schemas folder of its flow. */
  readonly schemasDir: string;
  /** The synthesized sources of its bundle (entry.mjs, validators.mjs) in the cloud assembly. */
  readonly sourceDir: string;
}

export class HandlerBuildError extends Error {
  override readonly name = 'HandlerBuildError';
}

export class HandlerBundles {
  private readonly inputs = new Map<string, ReadonlySet<string>>();
  private readonly codeDirs = new Map<string, string[]>();
  private readonly contexts = new Map<string, BuildContext<BuildOptions & { metafile: true; write: false }>>();
  private generation = 0;

  private constructor(readonly functions: readonly WatchedFunction[], private readonly workDir: string) {
    rmSync(workDir, { recursive: true, force: true });
    for (const fn of functions) {
      const src = this.srcDir(fn);
      mkdirSync(src, { recursive: true });
      copyFileSync(join(fn.sourceDir, 'entry.mjs'), join(src, 'entry.mjs'));
      copyFileSync(join(fn.sourceDir, 'validators.mjs'), join(src, 'validators.mjs'));
    }
  }

  /**
   * The subscriptions of the assembly's flows whose generated sources are in it, and the files
   * each bundle reads (one esbuild pass that writes nothing). `workDir`: a folder of the
   * watcher's own, emptied first.
   */
  static async discover(context: FlowContext, assemblyDir: string, projectDir: string, workDir: string): Promise<HandlerBundles> {
    const bundlesDir = join(assemblyDir, FLOW_BUNDLES_DIR);
    const flowFolders = existsSync(bundlesDir) ? readdirSync(bundlesDir) : [];
    const functions: WatchedFunction[] = [];
    for (const s of context.subscriptions) {
      const flow = context.flows.find((f) => f.manifest.flow === s.flow);
      if (!s.functionName || !flow) continue;
      // The subscription's construct sits directly in its flow's (lib/constructs/event-flow.ts).
      const flowPath = s.manifest.constructPath.slice(0, s.manifest.constructPath.lastIndexOf('/'));
      const folder = flowFolders.find((f) => f.endsWith(`-${flowPathHash(flowPath)}`));
      const sourceDir = folder === undefined ? undefined : join(bundlesDir, folder, 'src', s.name);
      if (!sourceDir || !existsSync(join(sourceDir, 'entry.mjs'))) continue;
      functions.push({
        subscription: s.name, functionName: s.functionName, sourceDir,
        topics: [...new Set([...s.manifest.topics, ...s.manifest.publishes])],
        schemasDir: resolve(projectDir, flow.manifest.schemasDir),
      });
    }
    const bundles = new HandlerBundles(functions, workDir);
    await bundles.bundle(functions, false);
    return bundles;
  }

  /** The functions whose bundle reads `file` (absolute). */
  affectedBy(file: string): WatchedFunction[] {
    return this.functions.filter((fn) => this.inputs.get(fn.functionName)?.has(file));
  }

  /** The functions whose validators hold `topic`'s schemas. */
  usingTopic(topic: string): WatchedFunction[] {
    return this.functions.filter((fn) => fn.topics.includes(topic));
  }

  /** Replaces a function's validators module (lib/schema/validator-codegen.ts) for its next build. */
  setValidators(fn: WatchedFunction, source: string): void {
    writeFileSync(join(this.srcDir(fn), 'validators.mjs'), source);
  }

  /**
   * Bundles the functions, each into a new folder; returns each one's code folder by function
   * name. A bundle that fails throws {@link HandlerBuildError} with the file and line, and the
   * functions keep the code they had.
   */
  async rebuild(functions: readonly WatchedFunction[]): Promise<Map<string, string>> {
    return this.bundle(functions, true);
  }

  /** Ends the esbuild contexts (their incremental state). */
  async dispose(): Promise<void> {
    await Promise.all([...this.contexts.values()].map((c) => c.dispose()));
    this.contexts.clear();
  }

  private async bundle(functions: readonly WatchedFunction[], write: boolean): Promise<Map<string, string>> {
    const distDir = join(this.workDir, 'dist', String(++this.generation));
    const built = await Promise.allSettled(functions.map(async (fn) => {
      const result = await (await this.contextOf(fn)).rebuild();
      return { fn, result };
    }));
    const failure = built.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failure) {
      const error = failure.reason as Partial<BuildFailure>;
      throw new HandlerBuildError(error.errors ? describeBuildMessages(error.errors, this.workDir) : (failure.reason as Error).message, { cause: failure.reason });
    }
    const dirs = new Map<string, string>();
    for (const b of built) {
      if (b.status !== 'fulfilled') continue;
      const { fn, result } = b.value;
      const entry = join(this.srcDir(fn), 'entry.mjs');
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined && resolve(this.workDir, o.entryPoint) === entry);
      if (output) this.inputs.set(fn.functionName, new Set(Object.keys(output.inputs).map((file) => resolve(this.workDir, file))));
      const codeDir = join(distDir, fn.functionName);
      dirs.set(fn.functionName, codeDir);
      if (!write) continue;
      await Promise.all(result.outputFiles.map(async (f) => {
        const to = join(distDir, relative(this.outDir, f.path));
        mkdirSync(dirname(to), { recursive: true });
        await writeFile(to, f.contents);
      }));
      this.keep(fn.functionName, codeDir);
    }
    return dirs;
  }

  private async contextOf(fn: WatchedFunction): Promise<BuildContext<BuildOptions & { metafile: true; write: false }>> {
    let ctx = this.contexts.get(fn.functionName);
    if (!ctx) {
      const options = handlerBuildOptions(functionEntryPoints(fn.functionName, join(this.srcDir(fn), 'entry.mjs')), this.outDir, this.workDir);
      ctx = await context({ ...options, metafile: true as const, write: false as const });
      this.contexts.set(fn.functionName, ctx);
    }
    return ctx;
  }

  /**
   * Keeps a function's two newest builds: the one it runs now, and the one an invocation that
   * started before the swap may still load a lazy module from. Older ones are deleted.
   */
  private keep(functionName: string, codeDir: string): void {
    const dirs = [...(this.codeDirs.get(functionName) ?? []), codeDir];
    for (const old of dirs.splice(0, Math.max(0, dirs.length - 2))) rmSync(old, { recursive: true, force: true });
    this.codeDirs.set(functionName, dirs);
  }

  /** Where esbuild places the outputs it hands back (nothing is written there). */
  private get outDir(): string {
    return join(this.workDir, 'out');
  }

  private srcDir(fn: WatchedFunction): string {
    return join(this.workDir, 'src', fn.functionName);
  }
}
