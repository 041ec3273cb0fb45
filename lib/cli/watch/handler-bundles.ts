/**
 * The handler bundles `busline dev` rebuilds while it runs. Synthesis leaves each flow's
 * generated sources in the cloud assembly (`.busline/<flow>/src/<subscription>/entry.mjs` and
 * `validators.mjs`, see lib/constructs/bundler.ts); this copies them into the state folder and
 * rebuilds only the functions a change touches, with the options synthesis bundles them with.
 * esbuild's metafile says which files each function's bundle reads, so a change to a handler or
 * to anything it imports finds the functions it affects.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type BuildFailure, type Metafile } from 'esbuild';
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
   * Bundles the functions in one esbuild call, each into a new folder; returns each one's code
   * folder by function name. A bundle that fails throws {@link HandlerBuildError} with the file
   * and line, and the functions keep the code they had.
   */
  async rebuild(functions: readonly WatchedFunction[]): Promise<Map<string, string>> {
    return this.bundle(functions, true);
  }

  private async bundle(functions: readonly WatchedFunction[], write: boolean): Promise<Map<string, string>> {
    const generation = ++this.generation;
    const distDir = join(this.workDir, 'dist', String(generation));
    const entryPoints: Record<string, string> = {};
    for (const fn of functions) Object.assign(entryPoints, functionEntryPoints(fn.functionName, join(this.srcDir(fn), 'entry.mjs')));
    let metafile: Metafile;
    try {
      ({ metafile } = await build({ ...handlerBuildOptions(entryPoints, distDir, this.workDir), metafile: true, write }));
    } catch (error) {
      const failure = error as Partial<BuildFailure>;
      throw new HandlerBuildError(failure.errors ? describeBuildMessages(failure.errors, this.workDir) : (error as Error).message, { cause: error });
    }
    const dirs = new Map<string, string>();
    for (const fn of functions) {
      const output = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint !== undefined && resolve(this.workDir, o.entryPoint) === join(this.srcDir(fn), 'entry.mjs'));
      if (output) this.inputs.set(fn.functionName, new Set(Object.keys(output[1].inputs).map((file) => resolve(this.workDir, file))));
      const codeDir = join(distDir, fn.functionName);
      dirs.set(fn.functionName, codeDir);
      if (write) this.keep(fn.functionName, codeDir);
    }
    return dirs;
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

  private srcDir(fn: WatchedFunction): string {
    return join(this.workDir, 'src', fn.functionName);
  }
}
