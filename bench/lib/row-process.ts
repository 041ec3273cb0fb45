/**
 * A bench row in a `node` process of its own (bench/lib/row-worker.ts), driven over IPC by
 * the measuring loop in the parent. Rows of a section then share neither heap nor JIT state:
 * the garbage one stack leaves (and the major GCs it triggers) cannot bill the next row, and
 * each stack's heap holds only what it retains itself. Rounds stay interleaved: the parent
 * asks one row at a time for a sample while the others wait idle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { BatchRow, RowRunner } from './measure.ts';
import type { RowReply, RowRequest, RowRequestBody } from './row-worker.ts';

/** What a rows module (bench/rows/*.ts) exports for the worker. */
export interface RowsModule {
  createRow(key: string, env: Readonly<Record<string, string>>): Promise<BatchRow>;
  contextOf(): Context;
}

const WORKER = join(import.meta.dirname, 'row-worker.ts');

/**
 * Starts the row `key` of `rowsModule` in a fresh process; the runner is labelled by the key.
 * `env` is passed to createRow (e.g. a dynalite endpoint the parent serves). The child's
 * stdout (the stack's logs) is discarded.
 */
export async function processRunner(rowsModule: string, key: string, env: Readonly<Record<string, string>> = {}): Promise<RowRunner> {
  const child = fork(WORKER, [rowsModule, key, JSON.stringify(env)], {
    // No --expose-gc: a row alone in its process is not collected before each sample (measure.ts).
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited: Error | undefined;
  const failAll = (error: Error): void => {
    exited = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on('message', (m: RowReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`bench row "${key}": ${m.error}`));
  });
  child.on('exit', (code, signal) => failAll(new Error(`bench row "${key}": its process exited (${signal ?? `code ${code}`})`)));
  child.on('error', (e) => failAll(e));
  const call = <T>(request: RowRequestBody): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...request, id } satisfies RowRequest);
    });
  try {
    await call<null>({ op: 'ready' });
  } catch (error) {
    await stop(child);
    throw error;
  }
  return {
    label: key,
    warmup: (warmupMs) => call<number>({ op: 'warmup', arg: warmupMs }),
    sample: (batches) => call<{ totalMs: number; events: number }>({ op: 'sample', arg: batches }),
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.disconnect();
  });
}
