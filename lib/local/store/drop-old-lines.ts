/**
 * Retention for a JSON-lines file kept in time order (the journal, an archive): the lines at the
 * start of the file that are older than what is kept are dropped by writing the rest aside and
 * renaming it over the file; the file's AppendFile holds new appends back only for the last part
 * of that (replaceFile).
 * A crash before the rename leaves the whole file; after it, the shorter one. Nothing kept is
 * ever parsed: the scan stops at the first line that is not old.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFully, type AppendFile } from './append-file.ts';
import { nodeStoreFs } from './store-fs.ts';

export interface OldLines {
  /** Whether a record is older than what is kept. Lines go from the start up to the first that is not. */
  readonly isOld: (record: unknown) => boolean;
  /**
   * A key for a record that later records depend on (the journal's `bus.rules`): of the dropped
   * lines, the last one of each key is kept, in front of the rest, in file order.
   */
  readonly carryKey?: (record: unknown) => string | undefined;
}

/** Lines one file lost to retention. */
export interface DroppedLines {
  /** Lines removed from the file. */
  readonly lines: number;
  /** Bytes removed from the file. */
  readonly bytes: number;
}

const NOTHING: DroppedLines = { lines: 0, bytes: 0 };
const CHUNK_BYTES = 1 << 20;

/**
 * Drops the old lines at the start of `file` (see OldLines). The scan and the copy of what is kept
 * run while appends go on; appends wait (replaceFile) only while the lines they added meanwhile
 * are copied too and the copy is renamed over the file.
 */
export async function dropOldLines(file: AppendFile, old: OldLines): Promise<DroppedLines> {
  await file.flush();
  const cut = await findCut(file.path, old);
  if (cut.lines === cut.carried.length) return NOTHING;
  const carriedBytes = cut.carried.reduce((sum, line) => sum + line.length, 0);
  const aside = `${file.path}.retained`;
  const out = await open(aside, 'w');
  let renamed = false;
  try {
    for (const line of cut.carried) await writeFully(out, line, line.length);
    const copied = await copyFrom(file.path, cut.offset, out);
    await file.replaceFile(async () => {
      await copyFrom(file.path, copied, out);
      await out.sync();
      await rename(aside, file.path);
      renamed = true;
      await nodeStoreFs.syncDir(dirname(file.path));
    });
  } finally {
    await out.close();
    if (!renamed) await rm(aside, { force: true });
  }
  return { lines: cut.lines - cut.carried.length, bytes: cut.offset - carriedBytes };
}

/** Where the kept part starts, how many lines are before it, and the carried ones among them. */
async function findCut(path: string, old: OldLines): Promise<{ offset: number; lines: number; carried: Buffer[] }> {
  const carried = new Map<string, Buffer>();
  let offset = 0;
  let lines = 0;
  const done = () => ({ offset, lines, carried: [...carried.values()] });
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return done();
    throw error;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let rest = Buffer.alloc(0);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return done(); // every complete line is old (a torn tail stays)
      position += bytesRead;
      const data = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let newline = data.indexOf(0x0a, start); newline >= 0; newline = data.indexOf(0x0a, start)) {
        const record = parsed(data.toString('utf8', start, newline));
        if (record === undefined || !old.isOld(record)) return done();
        const key = old.carryKey?.(record);
        if (key !== undefined) {
          carried.delete(key); // re-set: the map's order stays the order of each key's last line
          carried.set(key, Buffer.from(data.subarray(start, newline + 1)));
        }
        lines++;
        offset += newline + 1 - start;
        start = newline + 1;
      }
      rest = Buffer.from(data.subarray(start)); // `chunk` is read into again
    }
  } finally {
    await handle.close();
  }
}

function parsed(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined; // not a record: keep it and everything after it
  }
}

/** Copies the file's bytes from `from` to its end as it is now into `out`; returns where that end was. */
async function copyFrom(path: string, from: number, out: FileHandle): Promise<number> {
  const input = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = from;
    for (;;) {
      const { bytesRead } = await input.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return position;
      await writeFully(out, chunk, bytesRead);
      position += bytesRead;
    }
  } finally {
    await input.close();
  }
}
