/**
 * Runs the functions of a cloud assembly: one {@link FunctionPool} of warm execution
 * environments per function, each with its own environment variables (template variables +
 * endpoint overrides), on the Node its runtime declares when a binary of that major is found
 * (runtime-node.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalFunction } from '../assembly/app-model.ts';
import { functionEnvironment, type EngineCoordinates } from './function-environment.ts';
import { FunctionPool, type InvocationFault } from './function-pool.ts';
import type { InvokeResult, LambdaError, LogLine } from './lambda-types.ts';
import { runtimeNode, type RuntimeNode } from './runtime-node.ts';

export interface FunctionRunnerOptions extends EngineCoordinates {
  /** Folder for files the runner writes (inline code). */
  readonly workDir: string;
  /** Concurrent execution environments per function unless its ReservedConcurrentExecutions is lower. @default DEFAULT_WORKERS_PER_FUNCTION (1) */
  readonly maxWorkersPerFunction?: number;
  readonly onLog?: (functionName: string, line: LogLine, requestId: string | null) => void;
  /** The time invocations start at when it is not wall time (see FunctionPoolOptions.now). */
  readonly now?: () => number;
  /** Decides, per invocation of a function's own code, whether a fault is injected (chaos mode). */
  readonly faults?: (fn: LocalFunction, event: unknown) => InvocationFault | undefined;
  /**
   * Node binaries by major (`{ 24: '/opt/node24/bin/node' }`), ahead of the other places one is
   * looked for (node-binaries.ts): functions whose runtime declares that major run on it.
   * @default - BUSLINE_NODE_<major>, a node-<major> package in node_modules, node<major> on PATH
   */
  readonly nodeBinaries?: Readonly<Record<number, string>>;
}

/**
 * Takes the place of a function's invocations (a test harness's faults and replaced handlers):
 * gets the event and the function's own invoke, and answers what the invocation returns.
 */
export type InvokeInterceptor = (event: unknown, invoke: (event: unknown) => Promise<InvokeResult>) => Promise<InvokeResult>;

/**
 * Execution environments per function by default. Each is a worker thread (or a child process
 * on the runtime's Node) with its own copy of the function's modules and the AWS SDK (tens of MB). One: the handlers wait on this same
 * engine, on the same cores, so more environments do not add throughput (the benchmark
 * flow's four functions already keep two cores busy); each one is another isolate that loads,
 * JIT-compiles and garbage-collects the SDK and the handler again, and spreading the records
 * over more isolates keeps each of them colder. bench/engine-flow.bench.ts (interleaved, load
 * 5-8 on 2 cores): 16.5-17.3 ms CPU per flow run with 1, 21.9-23.1 with 2, and about a fifth
 * more again with 4; p99 latency at 20 runs/s 44-62 ms with 1.
 * `--concurrency` raises it for handlers that wait on something slow.
 */
export const DEFAULT_WORKERS_PER_FUNCTION = 1;

export class FunctionNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

/** New code of a function failed its init phase (the module threw while loading, or timed out). */
export class FunctionInitError extends Error {
  override readonly name = 'FunctionInitError';
  constructor(readonly functionName: string, readonly error: LambdaError) {
    super(`${error.errorType}: ${error.errorMessage}`);
  }
}

export class FunctionRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly functions = new Map<string, LocalFunction>();
  private readonly codeDirs = new Map<string, string>();
  private readonly overrides = new Map<string, Readonly<Record<string, string>>>();
  private readonly interceptors = new Map<string, InvokeInterceptor>();
  private readonly sdkFallback = sdkFallback();
  private readonly nodes = new Map<string, RuntimeNode>();
  private running = 0;

  constructor(private readonly options: FunctionRunnerOptions) {}

  add(fn: LocalFunction): void {
    const codeDir = this.codeDirOf(fn);
    this.functions.set(fn.name, fn);
    if (!codeDir) return;
    this.codeDirs.set(fn.name, codeDir);
    this.pools.set(fn.name, this.pool(fn, codeDir));
  }

  private codeDirOf(fn: LocalFunction): string | undefined {
    if (fn.inlineCode === undefined) return fn.codeDir;
    // Code.ZipFile: Lambda stores it as index.js (CommonJS) in an otherwise empty package.
    const codeDir = join(this.options.workDir, 'inline-code', fn.name);
    mkdirSync(codeDir, { recursive: true });
    writeFileSync(join(codeDir, 'index.js'), fn.inlineCode);
    writeFileSync(join(codeDir, 'package.json'), '{"type":"commonjs"}\n');
    return codeDir;
  }

  /**
   * Which Node runs the handlers of `runtime` (found once per runtime): node_modules folders are
   * looked for from `codeDir` (inside the app) and from the engine's own install.
   */
  runtimeNode(runtime: string, codeDir?: string): RuntimeNode {
    let node = this.nodes.get(runtime);
    if (!node) {
      const from = [...(codeDir ? [codeDir] : []), dirname(fileURLToPath(import.meta.url))];
      node = runtimeNode(runtime, { from, ...(this.options.nodeBinaries && { binaries: this.options.nodeBinaries }) });
      this.nodes.set(runtime, node);
    }
    return node;
  }

  /** Which Node runs each runtime the functions declare (the terminal's start line says it). */
  runtimeNodes(): RuntimeNode[] {
    const runtimes = new Map(this.list().map((fn) => [fn.runtime, this.codeDirs.get(fn.name)]));
    return [...runtimes].map(([runtime, codeDir]) => this.runtimeNode(runtime, codeDir));
  }

  private pool(fn: LocalFunction, codeDir: string): FunctionPool {
    const node = this.runtimeNode(fn.runtime, codeDir);
    return new FunctionPool({
      fn, codeDir, maxWorkers: this.concurrency(fn.name), sdkFallback: this.sdkFallback,
      ...(node.environment === 'child-process' && { nodeBinary: node.binary }),
      env: { ...functionEnvironment(fn, this.options, codeDir), ...this.overrides.get(fn.name) },
      ...(this.options.onLog ? { onLog: (line: LogLine, id: string | null) => this.options.onLog!(fn.name, line, id) } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
    });
  }

  /**
   * Sets environment variables of a function over the template's (none: back to the
   * template's). Its execution environments are replaced: the next invocation starts cold with
   * the new environment; one running now finishes in its old environment.
   */
  async setEnvironmentOverrides(nameOrArn: string, overrides: Readonly<Record<string, string>>): Promise<void> {
    const fn = this.get(nameOrArn);
    if (Object.keys(overrides).length === 0) this.overrides.delete(fn.name);
    else this.overrides.set(fn.name, { ...overrides });
    await this.renewPool(fn);
  }

  /**
   * Runs the function from other code (a rebuilt bundle, or a changed template's function) from
   * now on. Its execution environments are replaced: the next invocation starts cold on the new
   * code; one running now finishes on the old. A function the runner did not have is added.
   */
  async replace(fn: LocalFunction): Promise<void> {
    if (!this.functions.has(fn.name)) {
      this.add(fn);
      return;
    }
    const codeDir = this.codeDirOf(fn);
    this.functions.set(fn.name, fn);
    if (codeDir) this.codeDirs.set(fn.name, codeDir);
    else this.codeDirs.delete(fn.name);
    await this.renewPool(fn);
  }

  /**
   * Loads new code of a function in an execution environment of its own first (its init phase),
   * and only when that succeeds runs the function on it, with that environment warm for the next
   * invocation. Code that fails to load throws {@link FunctionInitError}, and the function goes on
   * running the code it had.
   */
  async replaceWarm(fn: LocalFunction): Promise<void> {
    const current = this.get(fn.name);
    const codeDir = this.codeDirOf(fn);
    if (!codeDir) throw new FunctionInitError(fn.name, { errorType: 'Runtime.ImportModuleError', errorMessage: `no code for ${fn.name}` });
    const pool = this.pool(fn, codeDir);
    const initError = await pool.warm();
    if (initError) {
      await pool.stop();
      throw new FunctionInitError(current.name, initError);
    }
    const old = this.pools.get(fn.name);
    this.functions.set(fn.name, fn);
    this.codeDirs.set(fn.name, codeDir);
    this.pools.set(fn.name, pool);
    await old?.stop({ letRunningFinish: true });
  }

  /** Takes a function away: invocations running now finish, later ones find no function. */
  async remove(nameOrArn: string): Promise<void> {
    const fn = this.get(nameOrArn);
    const pool = this.pools.get(fn.name);
    this.functions.delete(fn.name);
    this.codeDirs.delete(fn.name);
    this.pools.delete(fn.name);
    this.interceptors.delete(fn.name);
    await pool?.stop({ letRunningFinish: true });
  }

  private async renewPool(fn: LocalFunction): Promise<void> {
    const codeDir = this.codeDirs.get(fn.name);
    const old = this.pools.get(fn.name);
    if (codeDir) this.pools.set(fn.name, this.pool(fn, codeDir));
    else this.pools.delete(fn.name);
    await old?.stop({ letRunningFinish: true });
  }

  /** Routes the function's invocations through `interceptor` (undefined: back to its code). */
  intercept(nameOrArn: string, interceptor: InvokeInterceptor | undefined): void {
    const fn = this.get(nameOrArn);
    if (interceptor) this.interceptors.set(fn.name, interceptor);
    else this.interceptors.delete(fn.name);
  }

  /** Invocations running now, over all functions. */
  get inFlight(): number {
    return this.running;
  }

  has(nameOrArn: string): boolean {
    return this.functions.has(nameOf(nameOrArn));
  }

  get(nameOrArn: string): LocalFunction {
    const fn = this.functions.get(nameOf(nameOrArn));
    if (!fn) throw new FunctionNotFoundError(`Function not found: ${nameOrArn}`);
    return fn;
  }

  /** Concurrent execution environments this function may have. */
  concurrency(nameOrArn: string): number {
    const fn = this.get(nameOrArn);
    return Math.max(1, Math.min(fn.reservedConcurrency ?? Infinity, this.options.maxWorkersPerFunction ?? DEFAULT_WORKERS_PER_FUNCTION));
  }

  list(): LocalFunction[] {
    return [...this.functions.values()];
  }

  /** Synchronous invoke; resolves with the outcome (never rejects for function errors). `requestId`: see FunctionPool.invoke. */
  async invoke(nameOrArn: string, event: unknown, requestId?: string): Promise<InvokeResult> {
    const fn = this.get(nameOrArn);
    const own = (e: unknown): Promise<InvokeResult> => this.invokeCode(fn, e, requestId);
    const interceptor = this.interceptors.get(fn.name);
    this.running++;
    try {
      return await (interceptor ? interceptor(event, own) : own(event));
    } finally {
      this.running--;
    }
  }

  private async invokeCode(fn: LocalFunction, event: unknown, requestId: string | undefined): Promise<InvokeResult> {
    const pool = this.pools.get(fn.name);
    if (!pool) {
      return {
        requestId: 'none', functionName: fn.name, ok: false, timedOut: false, durationMs: 0, logs: [],
        error: { errorType: 'Runtime.ImportModuleError', errorMessage: `the code of ${fn.name} is not in the cloud assembly` },
      };
    }
    return pool.invoke(event, requestId, this.options.faults?.(fn, event));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }
}

function nameOf(nameOrArn: string): string {
  const match = /:function:([^:]+)/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn;
}

/** The engine's own AWS SDK install, the stand-in for the one Lambda's runtime provides. */
function sdkFallback(): { parentUrl: string; nodeModules?: string } {
  const parentUrl = import.meta.url;
  try {
    const resolved = createRequire(import.meta.url).resolve('@aws-sdk/client-sqs');
    const at = resolved.lastIndexOf(`${sep}node_modules${sep}`);
    return at >= 0 ? { parentUrl, nodeModules: resolved.slice(0, at + '/node_modules'.length) } : { parentUrl };
  } catch {
    return { parentUrl };
  }
}
