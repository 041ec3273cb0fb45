/**
 * The engine's durable state: a write-ahead log of state changes plus snapshots.
 *
 * Layout of `<dir>`:
 *   snapshot-<n>.jsonl  every record needed to rebuild the state as it was when log n began
 *   log-<n>.jsonl       changes made after snapshot n (and log n+1… if a crash came between
 *                       opening a new log and finishing its snapshot)
 *
 * A snapshot is itself a list of records (the state re-expressed as the changes that would
 * create it), so recovery is one code path: apply snapshot n, then logs n, n+1, … in order.
 * Snapshots are written to a temporary name, fsynced and renamed, so a snapshot file that
 * exists is complete; older files are deleted only after the new snapshot is in place.
 *
 * Compaction: when the current log grows past `compactAfterBytes`, the store asks the
 * state for its snapshot records (synchronously, so they match exactly the records logged
 * so far), switches new appends to the next log and writes the snapshot in the background.
 * Records appended to the old log just before the switch may still be waiting for its last
 * group commit: `flush()` waits for that too (the retiring log), so whoever logged a change
 * before a compaction and awaits `flush()` after it is answered only once the change is on
 * disk.
 *
 * A start logs to a new log (never to one recovery read, whose tail may be torn) and writes a
 * snapshot only when recovery replayed much after the last one (16 logs, or a quarter of
 * `compactAfterBytes`), in the background: a start does not rewrite a large state already in a
 * snapshot.
 *
 * Every log is opened as AppendFile does for a durable file (file and directory fsynced
 * before its first record is acknowledged), so a new log's name is on disk before any
 * acknowledged record is in it.
 */
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendFile, readJsonLines } from './append-file.ts';
import { ensureDir, nodeStoreFs, type StoreFs } from './store-fs.ts';

export interface StateStoreOptions {
  /** Log size that triggers a snapshot. @default 64 MiB */
  readonly compactAfterBytes?: number;
  /** The file-system calls (a seam for tests that record their order). @default Node's fs */
  readonly fs?: StoreFs;
}

/** Produces the current state as records (called synchronously at compaction). */
export type SnapshotSource = () => Iterable<unknown>;

const SNAPSHOT = /^snapshot-(\d+)\.jsonl$/;
/** Starts without a snapshot leave a log each; past this many, the next start writes a snapshot. */
const MAX_LOGS_WITHOUT_SNAPSHOT = 16;
const LOG = /^log-(\d+)\.jsonl$/;

export class StateStore {
  private flushing = 0;
  private log: AppendFile | undefined;
  /** The previous log while its last batch is written and it is closed (during a compaction). */
  private retiring: Promise<void> | undefined;
  private generation = 0;
  private snapshotSource: SnapshotSource | undefined;
  private compacting: Promise<void> | undefined;
  private compactQueued = false;
  private readonly compactAfterBytes: number;
  private readonly fs: StoreFs;
  /** What recovery replayed after the snapshot: begin() compacts only when it is a lot. */
  private recoveredLogs = { files: 0, bytes: 0 };

  private constructor(readonly dir: string, options: StateStoreOptions) {
    this.compactAfterBytes = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.fs = options.fs ?? nodeStoreFs;
  }

  static async open(dir: string, options: StateStoreOptions = {}): Promise<StateStore> {
    await ensureDir(dir, options.fs);
    return new StateStore(dir, options);
  }

  /** Feed every durable record, oldest first, to `apply`. Call once, before `begin`. */
  async recover(apply: (record: unknown) => void): Promise<{ records: number }> {
    const names = await readdir(this.dir);
    const snapshots = numbered(names, SNAPSHOT);
    const logs = numbered(names, LOG);
    const base = snapshots.at(-1) ?? 0;
    let records = 0;
    if (snapshots.length > 0) records += await readJsonLines(join(this.dir, `snapshot-${base}.jsonl`), apply);
    for (const n of logs) {
      if (n < base) continue;
      const path = join(this.dir, `log-${n}.jsonl`);
      records += await readJsonLines(path, apply);
      this.recoveredLogs = { files: this.recoveredLogs.files + 1, bytes: this.recoveredLogs.bytes + (await stat(path)).size };
    }
    this.generation = Math.max(base, logs.at(-1) ?? 0);
    return { records };
  }

  /**
   * Start logging, to a new log: the logs read by `recover` (possibly with a torn tail) are never
   * appended to. When recovery replayed little after the snapshot, that is all (a start does not
   * rewrite a large state that is already in a snapshot); otherwise a snapshot from `source` is
   * written in the background, as a compaction would, and the new log is used meanwhile.
   */
  begin(source: SnapshotSource): void {
    this.snapshotSource = source;
    const { files, bytes } = this.recoveredLogs;
    if (files < MAX_LOGS_WITHOUT_SNAPSHOT && bytes < this.compactAfterBytes / 4) {
      this.generation += 1;
      this.log = new AppendFile(join(this.dir, `log-${this.generation}.jsonl`), { fs: this.fs });
    } else {
      // Switches to the new log now; the snapshot is written after.
      void this.compact().catch((error: unknown) => {
        console.error(`busline store: compaction failed, will retry later: ${(error as Error).message}`);
      });
    }
  }

  /** Log a change; resolves once it is on disk (group commit). */
  append(record: unknown): Promise<void> {
    const log = this.requireLog();
    const done = log.append(record);
    this.maybeCompact(log);
    return done;
  }

  /** Log a change that nobody waits for; it goes to disk with the next batch. */
  appendLazy(record: unknown): void {
    const log = this.requireLog();
    log.appendLazy(record);
    this.maybeCompact(log);
  }

  /**
   * Resolves when everything logged so far is on disk: in the current log, and in the log a
   * compaction has just retired (its last batch may still be on its way).
   */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      const retiring = this.retiring;
      if (retiring) await Promise.all([this.log?.flush(), retiring]);
      else await this.log?.flush();
    } finally {
      this.flushing--;
    }
  }

  /** Flushes someone is waiting on now (a request is answered when its change is on disk). */
  get flushesInFlight(): number {
    return this.flushing;
  }

  /** Write a snapshot of the current state and start a new log. */
  async compact(): Promise<void> {
    while (this.compacting) await this.compacting;
    const source = this.snapshotSource;
    if (!source) throw new Error('StateStore.compact() called before begin()');
    const next = this.generation + 1;
    // Capture the snapshot's records and switch logs in one synchronous step: every record
    // logged before this point is reflected in the snapshot, every later one goes to the new
    // log. The records are serialised afterwards, a slice per turn of the event loop, so a
    // large state does not stall the engine. That is safe because the state's records are
    // absolute (set receive count / visibility, delete, add): a change made after the switch
    // that shows up in the snapshot is simply applied again when the new log is replayed.
    const records = [...source()];
    const previous = this.log;
    this.log = new AppendFile(join(this.dir, `log-${next}.jsonl`), { fs: this.fs });
    this.generation = next;
    // Closing writes the old log's last batch; flush() waits for it until it is done.
    const retiring = previous?.close();
    if (retiring) {
      this.retiring = retiring;
      // A failure is reported by the run below and to whoever awaits flush() meanwhile.
      const done = (): void => {
        if (this.retiring === retiring) this.retiring = undefined;
      };
      retiring.then(done, done);
    }
    const run = (async () => {
      await this.log?.flush();
      await retiring;
      await writeSnapshot(join(this.dir, `snapshot-${next}.jsonl`), records, this.fs);
      await this.fs.syncDir(this.dir);
      for (const name of await readdir(this.dir)) {
        const m = SNAPSHOT.exec(name) ?? LOG.exec(name);
        if (m && Number(m[1]) < next) await unlink(join(this.dir, name));
      }
    })();
    this.compacting = run;
    try {
      await run;
    } finally {
      this.compacting = undefined;
    }
  }

  async close(): Promise<void> {
    while (this.compacting) await this.compacting;
    await this.log?.close();
    this.log = undefined;
  }

  private requireLog(): AppendFile {
    if (!this.log) {
      throw new Error('StateStore: append before begin() finished (or after close())');
    }
    return this.log;
  }

  private maybeCompact(log: AppendFile): void {
    if (this.compacting || this.compactQueued || log.bytesWritten < this.compactAfterBytes) return;
    // Not now: the caller may log a change before applying it to memory, and the snapshot
    // must include every change logged to the old log. A microtask runs after the caller's
    // synchronous step has finished.
    this.compactQueued = true;
    queueMicrotask(() => {
      this.compactQueued = false;
      void this.compact().catch((error: unknown) => {
        console.error(`busline store: compaction failed, will retry later: ${(error as Error).message}`);
      });
    });
  }
}

function numbered(names: readonly string[], pattern: RegExp): number[] {
  return names
    .map((name) => pattern.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

async function writeSnapshot(path: string, records: readonly unknown[], fs: StoreFs): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    const slice = 2048;
    for (let i = 0; i < records.length; i += slice) {
      let chunk = '';
      const end = Math.min(records.length, i + slice);
      for (let j = i; j < end; j++) chunk += JSON.stringify(records[j]) + '\n';
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
