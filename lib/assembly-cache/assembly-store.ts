/**
 * Synthesized cloud assemblies stored by content key: `<cacheDir>/<key>/`. A stored assembly is
 * complete (it is moved in whole); two processes storing the same key keep the first.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where a project's assemblies are stored unless told otherwise (busline/testing and `busline dev` share it). */
export function defaultSynthCacheDir(projectDir: string): string {
  return join(resolve(projectDir), 'node_modules', '.cache', 'busline', 'synth');
}

/** The folder of the assembly stored under `key`, if there is one. */
export function storedAssembly(cacheDir: string, key: string): string | undefined {
  const dir = join(resolve(cacheDir), key);
  return existsSync(join(dir, 'manifest.json')) ? dir : undefined;
}

/**
 * Stores the assembly in `fromDir` under `key` and returns its folder. `move` takes the folder
 * (it must be on the same file system as the cache); otherwise it is copied.
 */
export function storeAssembly(cacheDir: string, key: string, fromDir: string, move = false): string {
  const dir = join(resolve(cacheDir), key);
  if (storedAssembly(cacheDir, key)) {
    if (move) rmSync(fromDir, { recursive: true, force: true });
    return dir;
  }
  mkdirSync(resolve(cacheDir), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}`;
  try {
    if (move) renameSync(fromDir, temp);
    else cpSync(fromDir, temp, { recursive: true });
    try {
      renameSync(temp, dir);
    } catch {
      // Another process stored the same assembly first.
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return dir;
}
