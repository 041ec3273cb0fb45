/** Start test/local/support/engine-child.ts as a child process and wait for its endpoint. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineChildConfig, MemoryQuery } from './engine-child.ts';

export interface EngineProcess {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** SIGKILL: the engine gets no chance to flush anything. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
  /**
   * The engine process's `process.memoryUsage()`, after a full garbage collection if `fullGc`.
   * Only for an engine spawned with `memory: true`.
   */
  memoryUsage(fullGc: boolean): Promise<NodeJS.MemoryUsage>;
}

const CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

export interface SpawnEngineOptions {
  /** Go to the child's node before the script (the bench passes `--cpu-prof` this way). */
  readonly nodeArgs?: readonly string[];
  /**
   * Another checkout of this repository whose engine to run (its own engine-child.ts, from its
   * own folder): the routing bench sets an earlier commit's engine beside this one.
   * @default - this checkout
   */
  readonly checkout?: string;
  /**
   * Open an IPC channel and start node with --expose-gc, so `memoryUsage()` can ask the engine
   * for its heap figures (the memory bench).
   * @default false
   */
  readonly memory?: boolean;
}

export async function spawnEngine(config: EngineChildConfig, timeoutMs = 30_000, options: SpawnEngineOptions = {}): Promise<EngineProcess> {
  const script = options.checkout ? join(options.checkout, 'test/local/support/engine-child.ts') : CHILD;
  const nodeArgs = [...(options.nodeArgs ?? []), ...(options.memory ? ['--expose-gc'] : [])];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, JSON.stringify(config)], {
    stdio: options.memory ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    ...(options.checkout ? { cwd: options.checkout } : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`engine child did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { endpoint: string }).endpoint);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine child exited (${code}) before starting: ${stderr}`));
    });
  });
  child.stdout!.resume();
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const memoryUsage = (fullGc: boolean): Promise<NodeJS.MemoryUsage> => {
    if (!options.memory) return Promise.reject(new Error('spawnEngine: memoryUsage() needs an engine spawned with memory: true'));
    return new Promise((resolve, reject) => {
      child.once('message', (usage) => resolve(usage as NodeJS.MemoryUsage));
      const query: MemoryQuery = { type: 'memory', fullGc };
      child.send(query, (error) => error && reject(error));
    });
  };
  return { endpoint, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'), memoryUsage };
}
