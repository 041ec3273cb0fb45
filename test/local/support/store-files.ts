/** Temporary folders and JSON-lines reading for the store's tests (append files, state store). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines } from '../../../lib/local/store/append-file.ts';

/** A fresh folder under the system's temp folder, removed when the test ends. */
export async function tempDir(t: { after: (fn: () => Promise<void>) => void }, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every record of a JSON-lines file, in order. */
export async function readAll(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  await readJsonLines(path, (r) => out.push(r));
  return out;
}
