/**
 * Runs one function's code in execution environments (worker threads, or child processes on
 * the Node binary of the function's runtime: environment-channel.ts), each warm and reused
 * across invocations (one invocation at a time per environment, as in Lambda). Enforces the
 * template's timeout by ending the environment, captures console output per invocation,
 * and scales up to `maxWorkers` concurrent environments.
 */
import { randomUUID } from 'node:crypto';
import { delimiter } from 'node:path';
import type { LocalFunction } from '../assembly/app-model.ts';
import type { InvokeResult, LambdaError, LogLine } from './lambda-types.ts';
import { openEnvironment, type EnvironmentChannel, type EnvironmentMessage } from './environment-channel.ts';
/** Lambda's limit on the init phase (module load before the first invocation). */
const INIT_TIMEOUT_MS = 10_000;

export interface FunctionPoolOptions {
  readonly fn: LocalFunction;
  readonly codeDir: string;
  readonly env: Record<string, string>;
  readonly maxWorkers: number;
  /**
   * The Node binary of the function's runtime when it is not the engine's own major: each
   * environment is then a child process on it (runtime-node.ts).
   * @default - worker threads of the engine
   */
  readonly nodeBinary?: string;
  /** Where @aws-sdk/* resolves from when the code folder has no copy (see sdk-resolve-hooks.mjs). */
  readonly sdkFallback: { readonly parentUrl: string; readonly nodeModules?: string };
  /** Live log lines (the CLI prints them). */
  readonly onLog?: (line: LogLine, requestId: string | null) => void;
  /**
   * The time an invocation starts at, when it is not wall time (a test's virtual clock): the
   * handler's Date reads it, moving on with wall time while the handler runs.
   * @default - the handler sees wall time
   */
  readonly now?: () => number;
}

interface Pending {
  readonly requestId: string;
  readonly logs: LogLine[];
  readonly started: number;
  readonly finish: (result: Omit<InvokeResult, 'requestId' | 'functionName' | 'logs' | 'durationMs'>) => void;
  /** An injected fault that takes the place of the handler's answer (chaos mode). */
  readonly instead?: () => void;
}

/**
 * A fault the chaos mode injects into one invocation: the environment dies as the invocation
 * arrives (`crash`, `start`: the handler does not run) or once the handler has answered
 * (`crash`, `end`: its work is done, its answer lost), or the answer comes past the timeout
 * (`timeout`).
 */
export type InvocationFault = { readonly kind: 'crash'; readonly at: 'start' | 'end' } | { readonly kind: 'timeout' };

class Environment {
  readonly channel: EnvironmentChannel;
  readonly ready: Promise<LambdaError | undefined>;
  pending: Pending | undefined;
  dead = false;

  constructor(private readonly options: FunctionPoolOptions, onDeath: (env: Environment) => void) {
    let settleReady: (e: LambdaError | undefined) => void = () => {};
    this.ready = new Promise((resolve) => { settleReady = resolve; });
    const initTimer = setTimeout(() => {
      settleReady({ errorType: 'Runtime.InitTimeout', errorMessage: `init did not finish within ${INIT_TIMEOUT_MS / 1000} s` });
      void this.kill();
    }, INIT_TIMEOUT_MS);
    initTimer.unref();

    const onMessage = (m: EnvironmentMessage): void => {
      switch (m.type) {
        case 'ready': clearTimeout(initTimer); settleReady(undefined); break;
        case 'init-error': clearTimeout(initTimer); settleReady(m.error); void this.kill(); break;
        case 'log': {
          const line = { level: m.level ?? 'info', text: m.text ?? '' };
          if (this.pending && m.id === this.pending.requestId) this.pending.logs.push(line);
          options.onLog?.(line, m.id ?? null);
          break;
        }
        case 'result': {
          const p = this.pending;
          if (!p || m.id !== p.requestId) break;
          if (p.instead) {
            p.instead();
            break;
          }
          this.pending = undefined;
          p.finish(m.ok ? { ok: true, value: m.value, timedOut: false } : { ok: false, error: m.error!, timedOut: false });
          break;
        }
      }
    };
    const onGone = (error?: Error): void => {
      clearTimeout(initTimer);
      settleReady({ errorType: 'Runtime.ExitError', errorMessage: error?.message ?? 'the execution environment exited during init' });
      const p = this.pending;
      this.pending = undefined;
      p?.finish({
        ok: false, timedOut: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${p.requestId} Error: Runtime exited${error ? ` with error: ${error.message}` : ''}` },
      });
      this.dead = true;
      onDeath(this);
    };
    this.channel = openEnvironment({
      start: { codeDir: options.codeDir, handler: options.fn.handler, fallbackParentUrl: options.sdkFallback.parentUrl },
      env: environmentVariables(options), memoryMb: options.fn.memoryMb,
      ...(options.nodeBinary !== undefined && { nodeBinary: options.nodeBinary }),
    }, { onMessage, onExit: onGone });
  }

  kill(): Promise<void> {
    this.dead = true;
    return this.channel.terminate();
  }
}

export class FunctionPool {
  private readonly environments: Environment[] = [];
  private readonly idle: Environment[] = [];
  private readonly waiters: Array<(env: Environment) => void> = [];
  private stopped = false;

  constructor(private readonly options: FunctionPoolOptions) {}

  get name(): string { return this.options.fn.name; }

  /**
   * Invokes the function synchronously (RequestResponse) and returns what happened. `requestId`:
   * the asynchronous invoker's retries of one event pass the same id, as Lambda does.
   */
  async invoke(event: unknown, requestId: string = randomUUID(), fault?: InvocationFault): Promise<InvokeResult> {
    const env = await this.acquire();
    const initError = await env.ready;
    const started = Date.now();
    const logs: LogLine[] = [];
    const base = { requestId, functionName: this.options.fn.name, logs };
    if (initError) {
      this.release(env);
      return { ...base, ok: false, error: initError, timedOut: false, durationMs: 0 };
    }
    const timeoutMs = this.options.fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timeOut = (): void => {
        clearTimeout(timer);
        // Lambda stops the environment at the deadline; the next invocation cold-starts. The
        // outcome is told once the environment is gone (nothing of it runs on after its answer).
        env.pending = undefined;
        const durationMs = Date.now() - started;
        const gone = env.kill();
        this.release(env);
        void gone.then(() => resolve({
          ...base, ok: false, timedOut: true, durationMs,
          error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.options.fn.timeoutSeconds.toFixed(2)} seconds` },
        }));
      };
      const timer = setTimeout(timeOut, timeoutMs);
      // A crash: the environment's exit fails the invocation as Runtime.ExitError (Environment's onGone).
      const instead = fault === undefined ? undefined : fault.kind === 'timeout' ? timeOut : () => void env.kill();
      env.pending = {
        requestId, logs, started,
        finish: (r) => {
          clearTimeout(timer);
          this.release(env);
          resolve({ ...base, ...r, durationMs: Date.now() - started });
        },
        ...(instead && { instead }),
      };
      if (fault?.kind === 'crash' && fault.at === 'start') {
        void env.kill();
        return;
      }
      env.channel.post({
        type: 'invoke', id: requestId, event,
        context: {
          functionName: this.options.fn.name,
          invokedFunctionArn: this.options.fn.arn,
          memoryLimitInMB: this.options.fn.memoryMb,
          awsRequestId: requestId,
          logGroupName: `/aws/lambda/${this.options.fn.name}`,
          logStreamName: `local/[$LATEST]${this.options.fn.logicalId}`,
          deadlineMs: started + timeoutMs,
        },
        ...(this.options.now ? { now: this.options.now() } : {}),
      });
    });
  }

  /**
   * Starts one execution environment ahead of the first invocation (its module loaded, as
   * Lambda's init phase does) and keeps it warm. Returns the init error when the code fails to
   * load; the environment is gone then.
   */
  async warm(): Promise<LambdaError | undefined> {
    const env = await this.acquire();
    const initError = await env.ready;
    this.release(env);
    return initError;
  }

  /**
   * Ends the pool's environments. With `letRunningFinish`, an invocation running now completes
   * first (its environment ends when it returns); otherwise it fails as a crashed runtime would.
   */
  async stop(options: { readonly letRunningFinish?: boolean } = {}): Promise<void> {
    this.stopped = true;
    const ending = options.letRunningFinish ? this.environments.filter((e) => !e.pending) : [...this.environments];
    await Promise.all(ending.map((e) => e.kill()));
    for (const e of ending) this.forget(e);
  }

  private acquire(): Promise<Environment> {
    if (this.stopped) return Promise.reject(new Error(`function ${this.name} is stopped`));
    const warm = this.idle.pop();
    if (warm) return Promise.resolve(warm);
    if (this.environments.length < this.options.maxWorkers) {
      const env = new Environment(this.options, (dead) => this.forget(dead));
      this.environments.push(env);
      return Promise.resolve(env);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(env: Environment): void {
    if (env.dead || this.stopped) {
      if (!env.dead) void env.kill();
      this.forget(env);
      // A slot freed up: a waiter gets a fresh environment.
      const waiter = this.waiters.shift();
      if (waiter && !this.stopped) {
        const fresh = new Environment(this.options, (dead) => this.forget(dead));
        this.environments.push(fresh);
        waiter(fresh);
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(env);
    else this.idle.push(env);
  }

  private forget(env: Environment): void {
    const i = this.environments.indexOf(env);
    if (i >= 0) this.environments.splice(i, 1);
    const j = this.idle.indexOf(env);
    if (j >= 0) this.idle.splice(j, 1);
  }
}

/**
 * The function's environment, plus NODE_PATH ending in the engine's SDK install: CommonJS
 * `require('@aws-sdk/…')` from a bundle resolves through it, as Lambda's NODE_PATH ends in
 * /var/runtime/node_modules. A worker's CommonJS loader reads NODE_PATH from its own env, a
 * child process's from its process environment.
 */
function environmentVariables(options: FunctionPoolOptions): Record<string, string> {
  const nodeModules = options.sdkFallback.nodeModules;
  if (!nodeModules) return options.env;
  const own = options.env['NODE_PATH'];
  return { ...options.env, NODE_PATH: own ? `${own}${delimiter}${nodeModules}` : nodeModules };
}
