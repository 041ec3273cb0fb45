/**
 * Watch mode of `busline dev`: the app's folder is watched, and each burst of changes is
 * reloaded into the running engine (lib/cli/watch/dev-reloader.ts).
 */
import { join, resolve } from 'node:path';
import type { LocalApp } from '../../local/app.ts';
import { DevReloader } from './dev-reloader.ts';
import { watchFiles } from './file-watcher.ts';

export interface DevWatchOptions {
  readonly app: LocalApp;
  readonly assemblyDir: string;
  readonly projectDir: string;
  readonly stateDir: string;
  readonly print: (line: string) => void;
  /** See DevReloaderOptions.synthesize. */
  readonly synthesize?: (outdir: string) => Promise<string>;
  readonly onAssembly?: (assemblyDir: string) => void;
  /** @default 100 */
  readonly debounceMs?: number;
}

export interface DevWatch {
  /** The banner's line about watching. */
  readonly banner: string;
  stop(): Promise<void>;
}

export async function startDevWatch(options: DevWatchOptions): Promise<DevWatch> {
  const stateDir = resolve(options.stateDir);
  const reloader = await DevReloader.start({
    app: options.app, assemblyDir: options.assemblyDir, projectDir: resolve(options.projectDir),
    workDir: join(stateDir, 'watch'), print: options.print,
    ...(options.synthesize ? { synthesize: options.synthesize } : {}),
    ...(options.onAssembly ? { onAssembly: options.onAssembly } : {}),
  });
  const watcher = await watchFiles({
    dir: options.projectDir,
    ignore: [stateDir, resolve(options.assemblyDir), join(resolve(options.projectDir), 'cdk.out')],
    ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    onChanges: async (files) => { await reloader.reload(files); },
    onError: (error) => options.print(`watch: ${error.message}`),
  });
  const what = options.synthesize ? 'handlers, schemas and the stack' : 'handlers and schemas';
  return { banner: `Watching ${options.projectDir} for changes to ${what} (--no-watch to turn off)`, stop: () => watcher.close() };
}
