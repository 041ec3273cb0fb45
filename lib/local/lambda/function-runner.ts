/**
 * Runs the functions of a cloud assembly: one {@link FunctionPool} of warm worker threads
 * per function, each with its own environment (template variables + endpoint overrides).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import type { LocalFunction } from '../assembly/app-model.ts';
import { functionEnvironment, type EngineCoordinates } from './function-environment.ts';
import { FunctionPool } from './function-pool.ts';
import type { InvokeResult, LogLine } from './lambda-types.ts';

export interface FunctionRunnerOptions extends EngineCoordinates {
  /** Folder for files the runner writes (inline code). */
  readonly workDir: string;
  /** Concurrent execution environments per function unless its ReservedConcurrentExecutions is lower. @default DEFAULT_WORKERS_PER_FUNCTION (1) */
  readonly maxWorkersPerFunction?: number;
  readonly onLog?: (functionName: string, line: LogLine, requestId: string | null) => void;
}

/**
 * Execution environments per function by default. Each is a worker thread with its own copy
 * of the function's modules and the AWS SDK (tens of MB). One: the handlers wait on this same
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

export class FunctionRunner {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly functions = new Map<string, LocalFunction>();
  private readonly sdkFallback = sdkFallback();

  constructor(private readonly options: FunctionRunnerOptions) {}

  add(fn: LocalFunction): void {
    let codeDir = fn.codeDir;
    if (fn.inlineCode !== undefined) {
      // Code.ZipFile: Lambda stores it as index.js (CommonJS) in an otherwise empty package.
      codeDir = join(this.options.workDir, 'inline-code', fn.name);
      mkdirSync(codeDir, { recursive: true });
      writeFileSync(join(codeDir, 'index.js'), fn.inlineCode);
      writeFileSync(join(codeDir, 'package.json'), '{"type":"commonjs"}\n');
    }
    this.functions.set(fn.name, fn);
    const maxWorkers = this.concurrency(fn.name);
    if (!codeDir) return;
    this.pools.set(fn.name, new FunctionPool({
      fn, codeDir, maxWorkers, sdkFallback: this.sdkFallback,
      env: functionEnvironment(fn, this.options, codeDir),
      ...(this.options.onLog ? { onLog: (line: LogLine, id: string | null) => this.options.onLog!(fn.name, line, id) } : {}),
    }));
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
    const pool = this.pools.get(fn.name);
    if (!pool) {
      return {
        requestId: 'none', functionName: fn.name, ok: false, timedOut: false, durationMs: 0, logs: [],
        error: { errorType: 'Runtime.ImportModuleError', errorMessage: `the code of ${fn.name} is not in the cloud assembly` },
      };
    }
    return pool.invoke(event, requestId);
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
