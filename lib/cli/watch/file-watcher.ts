/**
 * Watches an app's folder and hands over bursts of changed files: saves that come within
 * `debounceMs` of each other are one burst (an editor saving several files, or writing a file in
 * steps), and a burst that arrives while the previous one is being handled waits for it, so
 * handlers never overlap.
 *
 * chokidar rather than `fs.watch(dir, { recursive: true })`: on Linux, Node 20's recursive
 * fs.watch is emulated in JavaScript and misses files in folders created after it starts, and it
 * reports an editor's atomic save (write a temporary file, rename it over the old one) as a
 * rename of the old file; chokidar follows new folders, folds atomic saves into one `change`,
 * and prunes ignored folders (node_modules, the state folder) instead of watching them.
 */
import { resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** Saves closer together than this are one burst: long enough for an editor's "save all", short enough not to be felt. */
export const DEFAULT_DEBOUNCE_MS = 100;

export interface FileWatcherOptions {
  readonly dir: string;
  /** Absolute folders not to watch (besides node_modules and dot folders such as .git). */
  readonly ignore?: readonly string[];
  /** @default DEFAULT_DEBOUNCE_MS */
  readonly debounceMs?: number;
  /** Gets each burst of changed files (absolute paths), one burst at a time. */
  readonly onChanges: (files: readonly string[]) => Promise<void>;
  /** A failure of the watcher itself (a folder it cannot read). */
  readonly onError?: (error: Error) => void;
}

export interface FileWatcher {
  /** Stops watching; a burst being handled finishes first. */
  close(): Promise<void>;
}

export async function watchFiles(options: FileWatcherOptions): Promise<FileWatcher> {
  const root = resolve(options.dir);
  const ignored = (options.ignore ?? []).map((d) => resolve(d));
  const skip = (path: string): boolean => {
    const rel = path.slice(root.length + 1);
    if (rel === '') return false;
    if (rel.split(sep).some((part) => part === 'node_modules' || part.startsWith('.'))) return true;
    return ignored.some((d) => path === d || path.startsWith(`${d}${sep}`));
  };
  const watcher: FSWatcher = watch(root, { ignoreInitial: true, ignored: skip });
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const flush = (): void => {
    timer = undefined;
    const files = [...pending];
    pending.clear();
    running = running.then(() => options.onChanges(files)).catch((error: unknown) => options.onError?.(error as Error));
  };
  const changed = (path: string): void => {
    pending.add(resolve(path));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  };
  watcher.on('add', changed).on('change', changed).on('unlink', changed);
  watcher.on('error', (error) => options.onError?.(error as Error));
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
