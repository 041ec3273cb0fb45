/**
 * The file-system calls the store makes, behind one small seam so a test can record their
 * order (a directory fsync leaves no trace a kill -9 could show; only its order relative to
 * the acknowledgements can be checked). The default is Node's own fs/promises, unchanged.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface StoreFs {
  /** fs/promises `open`. */
  open(path: string, flags: string): Promise<FileHandle>;
  /** fsync a directory, so the names created in it (and renames into it) survive a power loss. */
  syncDir(dir: string): Promise<void>;
}

export const nodeStoreFs: StoreFs = {
  open: (path, flags) => open(path, flags),
  async syncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/**
 * mkdir -p, then fsync the parent of every directory it created: a directory whose own name
 * is not durable would take every file in it along on a power loss.
 */
export async function ensureDir(dir: string, fs: StoreFs = nodeStoreFs): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  // Created: first, …, dir. Their names live in dirname(first), first, …, dirname(dir).
  const created: string[] = [];
  for (let d = dir; d !== first && d !== dirname(d); d = dirname(d)) created.push(d);
  created.push(first);
  for (const d of created.reverse()) await fs.syncDir(dirname(d));
}
