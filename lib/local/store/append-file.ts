/**
 * A JSON-lines file written with group commit: records appended while a write (and its
 * fsync) is in progress are written together by the next one, so one fsync covers every
 * record that arrived meanwhile and throughput does not drop to one record per fsync.
 *
 * A record is one line of JSON (JSON.stringify never emits a raw newline). A crash can tear
 * only the last line; readers ignore a torn tail (see readJsonLines).
 *
 * A durable file is made durable as a name too before anything written to it is acknowledged:
 * open (creating it) → fsync the file → fsync its directory → write + fdatasync batches →
 * resolve. Without the directory fsync a power loss could drop the new file's name, and with
 * it records already acknowledged. That costs two fsyncs per file opened, none per record.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeStoreFs, type StoreFs } from './store-fs.ts';

export interface AppendFileOptions {
  /** fsync (fdatasync) each batch before its promises resolve. @default true */
  readonly durable?: boolean;
  /**
   * Records appended without anyone waiting (appendLazy) may wait this long to be written
   * together: one write per window instead of one per event-loop turn. For files no caller
   * waits on in the hot path (the journal); a flush() or append() still writes at once.
   * @default 0 (write in the next turn of the event loop)
   */
  readonly gatherMs?: number;
  /** The file-system calls (a seam for tests that record their order). @default Node's fs */
  readonly fs?: StoreFs;
  /**
   * The most bytes the buffer batches are encoded into may grow to (see WriteBuffer); a larger
   * batch goes out in several writes before its one fsync.
   * @default 256 KiB
   */
  readonly writeBufferBytes?: number;
}

/** The write buffer's first size: a file that only ever writes small batches keeps a small one. */
const FIRST_WRITE_BUFFER_BYTES = 16 * 1024;
const MAX_WRITE_BUFFER_BYTES = 256 * 1024;
/** A UTF-16 code unit takes at most 3 bytes in UTF-8. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

export class AppendFile {
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private flushing = false;
  private gatherTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** While `replaceFile` runs: no batch starts, appends wait in `pending`. */
  private paused = false;
  private failure: Error | undefined;
  /** Bytes written by this instance (used to decide when to compact). */
  bytesWritten = 0;

  private handle: Promise<FileHandle>;
  private readonly fs: StoreFs;
  private readonly durable: boolean;
  private readonly gatherMs: number;
  private readonly maxBufferBytes: number;
  /**
   * Every batch is encoded into this one buffer, kept from batch to batch: a batch joined into
   * one string and copied into a new Buffer (as before) left, per batch, a string in V8's
   * large-object space and a Buffer outside the heap, both held across the write and its fsync,
   * so they outlived young-generation collections and stayed until the next full one (the
   * engine's memory grew by megabytes of them between full collections). Grows to fit the
   * largest batch seen, up to maxBufferBytes.
   */
  private buffer: Buffer | undefined;

  /**
   * Synchronous so a caller can switch to a new file in the same turn as it decides to
   * (the store relies on that when compacting); the file is opened in the background and
   * the first write waits for it.
   */
  constructor(readonly path: string, options: AppendFileOptions = {}) {
    this.durable = options.durable ?? true;
    this.gatherMs = options.gatherMs ?? 0;
    this.maxBufferBytes = options.writeBufferBytes ?? MAX_WRITE_BUFFER_BYTES;
    this.fs = options.fs ?? nodeStoreFs;
    this.handle = openForAppend(path, this.durable, this.fs);
    // Surface an open failure on the first write, not as an unhandled rejection.
    this.handle.catch(() => undefined);
  }

  static async open(path: string, options: AppendFileOptions = {}): Promise<AppendFile> {
    const file = new AppendFile(path, options);
    await file.handle;
    return file;
  }

  /** Append a record; resolves once it is written (and fsynced when durable). */
  append(record: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue(record);
      this.waiters.push({ resolve, reject });
    });
  }

  /** Append a record without waiting: it goes out with the next batch. */
  appendLazy(record: unknown): void {
    this.enqueue(record);
  }

  /** Append a line that is already JSON text (saves serialising twice on hot paths). */
  appendRawLazy(jsonLine: string): void {
    if (this.closed) throw new Error(`store file ${this.path} is closed; the engine was stopped`);
    if (this.failure) throw this.failure;
    this.pending.push(jsonLine);
    this.kick();
  }

  /** Resolves once everything appended so far is written. */
  flush(): Promise<void> {
    if (this.pending.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await (await this.handle).close();
  }

  /**
   * Runs `replace` once everything appended so far is written and while no batch is: it may
   * put another file in this one's place (write it aside, then rename it over `path`). The
   * file at `path` is then opened again and what was appended meanwhile is written to it,
   * after what `replace` left there: nothing appended is lost or reordered.
   */
  async replaceFile<T>(replace: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`store file ${this.path} is closed; the engine was stopped`);
    await this.flush();
    this.paused = true;
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = undefined;
    }
    try {
      // A batch still being written goes to the file being replaced; later appends wait.
      while (this.flushing) await this.flush();
      const previous = await this.handle;
      try {
        return await replace();
      } finally {
        // Reopened whether or not `replace` got as far as its rename (same file if not); an
        // open that fails surfaces on the next write.
        await previous.close();
        this.handle = openForAppend(this.path, this.durable, this.fs);
        await this.handle.catch(() => undefined);
      }
    } finally {
      this.paused = false;
      if (this.pending.length > 0 || this.waiters.length > 0) this.kick();
    }
  }

  private enqueue(record: unknown): void {
    if (this.closed) throw new Error(`store file ${this.path} is closed; the engine was stopped`);
    if (this.failure) throw this.failure;
    this.pending.push(JSON.stringify(record));
    this.kick();
  }

  private kick(): void {
    if (this.flushing || this.paused) return;
    if (this.gatherMs > 0 && this.waiters.length === 0) {
      this.gatherTimer ??= setTimeout(() => {
        this.gatherTimer = undefined;
        this.startFlush();
      }, this.gatherMs);
      return;
    }
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = undefined;
    }
    this.startFlush();
  }

  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    // setImmediate lets every record appended in this turn of the event loop join the batch.
    setImmediate(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 || this.waiters.length > 0) {
      const lines = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const handle = await this.handle;
        if (lines.length > 0) {
          this.bytesWritten += await this.writeLines(handle, lines);
          if (this.durable) await handle.datasync();
        }
        for (const waiter of waiters) waiter.resolve();
        // Gathering: what arrived during this write waits for the next window, unless
        // someone is waiting for it.
        if (this.gatherMs > 0 && this.waiters.length === 0) break;
      } catch (cause) {
        this.failure = new Error(`writing ${this.path} failed: ${(cause as Error).message}`, { cause });
        for (const waiter of waiters) waiter.reject(this.failure);
        for (const waiter of this.waiters) waiter.reject(this.failure);
        this.waiters = [];
        this.pending = [];
        break;
      }
    }
    this.flushing = false;
    if (this.pending.length > 0 && !this.failure) this.kick();
  }

  /**
   * Writes `lines`, each followed by a newline, through the kept buffer: filled, written, filled
   * again. A line longer than the buffer goes out in a buffer of its own. Returns the bytes written.
   */
  private async writeLines(handle: FileHandle, lines: readonly string[]): Promise<number> {
    let buffer = (this.buffer ??= Buffer.allocUnsafeSlow(Math.min(FIRST_WRITE_BUFFER_BYTES, this.maxBufferBytes)));
    let used = 0;
    let total = 0;
    for (const line of lines) {
      // Most lines fit without measuring them: a string's UTF-8 is at most 3 bytes per unit.
      const room = buffer.length - used;
      const bytes = line.length * MAX_UTF8_BYTES_PER_UNIT < room ? -1 : Buffer.byteLength(line, 'utf8') + 1;
      if (bytes > room) {
        if (used > 0) {
          await writeFully(handle, buffer, used);
          total += used;
          used = 0;
        }
        if (bytes > buffer.length) {
          const own = Buffer.allocUnsafeSlow(bytes);
          own.write(line, 0, 'utf8');
          own[bytes - 1] = 0x0a;
          await writeFully(handle, own, bytes);
          total += bytes;
          continue;
        }
      }
      used += buffer.write(line, used, 'utf8');
      buffer[used++] = 0x0a;
    }
    if (used > 0) {
      await writeFully(handle, buffer, used);
      total += used;
    }
    // Grow (up to the cap) for the next batch of this size: one write per batch, not several.
    if (total > buffer.length && buffer.length < this.maxBufferBytes) {
      let size = buffer.length;
      while (size < total && size < this.maxBufferBytes) size *= 2;
      buffer = Buffer.allocUnsafeSlow(Math.min(size, this.maxBufferBytes));
      this.buffer = buffer;
    }
    return total;
  }
}

/** Writes the first `length` bytes of `buffer`, however many calls that takes. */
export async function writeFully(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const { bytesWritten } = await handle.write(buffer, offset, length - offset);
    offset += bytesWritten;
  }
}

/**
 * Cut a torn tail, open for appending (creating the file if needed) and, for a durable file,
 * fsync the file and then its directory, so that no write is acknowledged before the file's
 * name is on disk. Done for an existing file too: it may have been created by a process that
 * died before its own directory fsync.
 */
async function openForAppend(path: string, durable: boolean, fs: StoreFs): Promise<FileHandle> {
  await cutTornTail(path, fs);
  const handle = await fs.open(path, 'a');
  if (durable) {
    try {
      await handle.sync();
      await fs.syncDir(dirname(path));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/**
 * A crash while writing can leave a last line without its newline. Appending after it would
 * glue the next record onto the torn one, so cut the file back to its last newline first.
 */
async function cutTornTail(path: string, fs: StoreFs): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let end = size;
    const chunk = Buffer.alloc(64 * 1024);
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        const keep = start + newline + 1;
        if (keep !== size) {
          await handle.truncate(keep);
          await handle.datasync();
        }
        return;
      }
      end = start;
    }
    if (size > 0) {
      await handle.truncate(0);
      await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}

/**
 * Read every complete record of a JSON-lines file, in order. A last line cut short by a
 * crash (no newline, or not valid JSON) is ignored; a bad line elsewhere is corruption and
 * throws. A missing file reads as empty.
 */
export async function readJsonLines(path: string, onRecord: (record: unknown) => void): Promise<number> {
  let stream;
  try {
    const handle = await open(path, 'r');
    // The handle's own stream closes the handle (a stream over the raw fd would leave the
    // FileHandle to close an already-closed descriptor when it is garbage-collected).
    stream = handle.createReadStream({ autoClose: true, encoding: 'utf8', highWaterMark: 1 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let count = 0;
  let badLine: { lineNo: number; text: string } | undefined;
  let lineNo = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line.length === 0) return;
    if (badLine) {
      throw new Error(`${path}: line ${badLine.lineNo} is not valid JSON but is followed by more records; the file is corrupt (move it away to start empty)`);
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      badLine = { lineNo, text: line };
      return;
    }
    onRecord(record);
    count++;
  };
  // Lines split by hand (readline's per-line events cost more than the JSON.parse of a record).
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      take(text.charCodeAt(newline - 1) === 13 ? text.slice(start, newline - 1) : text.slice(start, newline));
      start = newline + 1;
    }
    rest = text.slice(start);
  }
  take(rest);
  return count;
}
