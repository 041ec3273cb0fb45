/**
 * Watch mode of `busline dev`: the app's folder is watched, and each burst of changes is
 * reloaded into the running engine (lib/cli/watch/dev-reloader.ts).
 */
import { join, resolve } from 'node:path';
import { DevReloader, type DevReloaderOptions } from './dev-reloader.ts';
import { watchFiles } from './file-watcher.ts';

export interface DevWatchOptions extends Omit<DevReloaderOptions, 'workDir'> {
  /** The engine's state folder: not watched; the reloader works in its `watch/` folder. */
  readonly stateDir: string;
  /** @default DEFAULT_DEBOUNCE_MS (file-watcher.ts) */
  readonly debounceMs?: number;
}

export interface DevWatch {
  /** The banner's line about watching. */
  readonly banner: string;
  stop(): Promise<void>;
}

export async function startDevWatch(options: DevWatchOptions): Promise<DevWatch> {
  const stateDir = resolve(options.stateDir);
  // Finding what each function's bundle reads takes one esbuild pass per function: it runs while
  // the engine already serves, and a save that comes first waits for it.
  const reloader = DevReloader.start({ ...options, projectDir: resolve(options.projectDir), workDir: join(stateDir, 'watch') });
  reloader.catch((error: unknown) => options.print(`watch: cannot rebuild handlers: ${(error as Error).message}`));
  const watcher = await watchFiles({
    dir: options.projectDir,
    ignore: [stateDir, resolve(options.assemblyDir), join(resolve(options.projectDir), 'cdk.out')],
    ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    onChanges: async (files) => { await (await reloader).reload(files); },
    onError: (error) => options.print(`watch: ${error.message}`),
  });
  const what = options.synthesize ? 'handlers, schemas and the stack' : 'handlers and schemas';
  return { banner: `Watching ${options.projectDir} for changes to ${what} (--no-watch to turn off)`, stop: async () => {
    await watcher.close();
    await (await reloader.catch(() => undefined))?.dispose();
  } };
}
