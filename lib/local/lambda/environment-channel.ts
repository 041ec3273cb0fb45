/**
 * The engine's end of one execution environment: environment-main.mjs running either in a
 * worker thread (the function's runtime is the engine's own Node major: fast to start, shares
 * the process) or in a child process on another Node binary (the runtime's declared major, see
 * node-binaries.ts). Both speak the protocol environment-main.mjs describes; this file is the
 * only place that knows which transport carries it.
 */
import { Worker } from 'node:worker_threads';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LambdaError } from './lambda-types.ts';

const ENTRY = new URL('./environment-main.mjs', import.meta.url);

/** What environment-main.mjs needs to load the function (its start data). */
export interface EnvironmentStart {
  readonly codeDir: string;
  readonly handler: string;
  /** Where @aws-sdk/* resolves from when the code folder has no copy (sdk-resolve-hooks.mjs). */
  readonly fallbackParentUrl: string;
}

export interface EnvironmentSpec {
  readonly start: EnvironmentStart;
  /** The environment's variables (its whole process.env). */
  readonly env: Record<string, string>;
  /** The heap limit, as Lambda's memory setting bounds the function. */
  readonly memoryMb: number;
  /** A Node binary of another major to run it in a child process. @default - a worker thread of the engine */
  readonly nodeBinary?: string;
}

/** A message environment-main.mjs sends. */
export interface EnvironmentMessage {
  readonly type: 'ready' | 'init-error' | 'log' | 'result' | 'fatal';
  readonly id?: string | null;
  readonly level?: string;
  readonly text?: string;
  readonly ok?: boolean;
  readonly value?: unknown;
  readonly error?: LambdaError;
}

export interface EnvironmentChannel {
  /** The child process's id (a worker thread has none). */
  readonly pid: number | undefined;
  post(message: unknown): void;
  /**
   * Ends the environment at once (a timeout, a crash fault, the engine stopping); resolves once it
   * is gone. Its exit is reported to `onExit` with no error: the engine ended it.
   */
  terminate(): Promise<void>;
}

export interface EnvironmentListeners {
  readonly onMessage: (message: EnvironmentMessage) => void;
  /** Called once, when the environment is gone; `error` says why when it died by itself. */
  readonly onExit: (error?: Error) => void;
}

export function openEnvironment(spec: EnvironmentSpec, listeners: EnvironmentListeners): EnvironmentChannel {
  return spec.nodeBinary === undefined ? workerEnvironment(spec, listeners) : processEnvironment(spec, spec.nodeBinary, listeners);
}

function workerEnvironment(spec: EnvironmentSpec, listeners: EnvironmentListeners): EnvironmentChannel {
  const worker = new Worker(ENTRY, {
    env: spec.env,
    // No tsx or other loaders of the engine's own process: the function sees only its bundle.
    execArgv: [],
    workerData: spec.start,
    resourceLimits: { maxOldGenerationSizeMb: heapMb(spec) },
  });
  worker.unref();
  const exit = exitOnce(listeners.onExit);
  worker.on('message', listeners.onMessage);
  worker.on('error', (e) => exit.died(e));
  worker.on('exit', (code) => exit.died(code ? new Error(`exit status ${code}`) : undefined));
  return {
    pid: undefined,
    post: (message) => worker.postMessage(message),
    async terminate() {
      exit.ended();
      await worker.terminate();
    },
  };
}

function processEnvironment(spec: EnvironmentSpec, nodeBinary: string, listeners: EnvironmentListeners): EnvironmentChannel {
  const child: ChildProcess = fork(fileURLToPath(ENTRY), [JSON.stringify(spec.start)], {
    execPath: nodeBinary,
    // Not the engine's execArgv (tsx): the function sees only its bundle, within its memory.
    // The young generation as a worker thread's (16 MB semi-spaces; Node 24 alone would take 64):
    // the heap limit stays the memory setting plus the same 48 MB in either kind of environment.
    execArgv: [`--max-old-space-size=${heapMb(spec)}`, '--max-semi-space-size=16'],
    env: spec.env,
    // Structured clone, as a worker's messages are.
    serialization: 'advanced',
    // Output the function writes goes through environment-main.mjs's console capture; what the
    // runtime itself writes to the descriptors goes where a worker's would.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // As a worker thread does, the environment keeps the engine's process alive only while the
  // engine waits on it (its init, an invocation), not while it idles warm.
  child.unref();
  const waiting = (yes: boolean): void => { if (yes) child.channel?.ref(); else child.channel?.unref(); };
  const exit = exitOnce(listeners.onExit);
  let fatal: Error | undefined;
  child.on('message', (m: EnvironmentMessage) => {
    if (m.type === 'fatal') fatal = new Error(m.error?.errorMessage ?? 'uncaught error');
    else listeners.onMessage(m);
    if (m.type === 'ready' || m.type === 'init-error' || m.type === 'result') waiting(false);
  });
  const gone = new Promise<void>((resolve) => {
    // The binary could not start (no process, so no exit event), or a message could not be sent.
    child.on('error', (e) => {
      if (child.pid === undefined) resolve();
      exit.died(e);
    });
    child.on('exit', (code, signal) => {
      // Lambda's wording for a runtime that exits: "exit status 1", "signal: killed".
      exit.died(fatal ?? (signal ? new Error(`signal: ${signal}`) : code ? new Error(`exit status ${code}`) : undefined));
      resolve();
    });
  });
  return {
    pid: child.pid,
    post(message) {
      if (!child.connected) return;
      waiting(true);
      // A message that cannot reach the environment leaves it of no use: it ends, and says why.
      child.send(message as object, (e) => {
        if (!e) return;
        fatal = e;
        child.kill('SIGKILL');
      });
    },
    async terminate() {
      exit.ended();
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        // The engine waits for it to be gone (engine stop leaves no process behind).
        child.ref();
        child.kill('SIGKILL');
      }
      await gone;
    },
  };
}

/** The V8 heap limit for a function of `memoryMb` (64 MB at least: the runtime itself needs some). */
function heapMb(spec: EnvironmentSpec): number {
  return Math.max(64, spec.memoryMb);
}

/** Reports an environment's end once: as the engine ending it, or as it dying with its reason. */
function exitOnce(onExit: (error?: Error) => void): { died(error?: Error): void; ended(): void } {
  let reported = false;
  let endedByEngine = false;
  const report = (error?: Error): void => {
    if (reported) return;
    reported = true;
    onExit(endedByEngine ? undefined : error);
  };
  return {
    died: report,
    ended() { endedByEngine = true; },
  };
}
