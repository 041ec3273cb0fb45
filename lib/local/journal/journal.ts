/**
 * The lineage journal (record shapes and meaning: ./types.ts and ./README.md).
 *
 * Written as JSON lines to `<dir>/journal.jsonl` in batches without fsync: the journal
 * explains what happened, it is not what makes delivery durable (the store is), so it does
 * not cost an fsync per batch. A crash may lose its last few records, never the events.
 */
import { principalMatches } from '../iam/caller.ts';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendFile, readJsonLines } from '../store/append-file.ts';
import { dropOldLines, type DroppedLines } from '../store/drop-old-lines.ts';
import type { JournalEntry, JournalQuery, JournalRecord } from './types.ts';
import { RuleMismatches } from './rule-mismatches.ts';
import { systemClock, type Clock } from '../clock.ts';
import { JournalPiiMasking } from './journal-pii-masking.ts';
import { isoMillisFormatter } from '../iso-time.ts';

export const JOURNAL_FILE = 'journal.jsonl';
/** How long journal records may wait to be written together (see AppendFileOptions.gatherMs). */
const JOURNAL_GATHER_MS = 10;

interface Subscriber {
  readonly query: JournalQuery;
  readonly onRecord: (record: JournalRecord) => void;
}

export class Journal {
  private readonly subscribers = new Set<Subscriber>();

  private readonly nowIso: () => string;

  /** PII mask mode: every record is masked here, before it is written or told (journal-pii-masking.ts). */
  readonly pii = new JournalPiiMasking();

  private constructor(
    private readonly file: AppendFile,
    private seq: number,
    clock: Clock,
  ) {
    const iso = isoMillisFormatter();
    this.nowIso = () => iso(clock.now());
  }

  /** Records are stamped with `clock`'s time (the engine's). */
  static async open(dir: string, clock: Clock = systemClock): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, JOURNAL_FILE);
    // Not fsynced (lineage, not state), and written in 10 ms windows: at ~30 records per flow run
    // (an event and the handler runs it causes) a write per event-loop turn was the engine's
    // most frequent system call.
    const file = await AppendFile.open(path, { durable: false, gatherMs: JOURNAL_GATHER_MS });
    return new Journal(file, await lastSeq(path), clock);
  }

  get path(): string {
    return this.file.path;
  }

  /**
   * Stamp `seq` and `at`, mask PII, write, and tell live subscribers. `event`: the event the
   * record is about, when the writer has it (its PII values are masked in the record).
   */
  append(entry: JournalEntry, event?: unknown): JournalRecord {
    const record = { seq: ++this.seq, at: entry.at ?? this.nowIso(), ...this.pii.mask(entry, event) } as JournalRecord;
    this.file.appendRawLazy(JSON.stringify(record));
    this.notify(record);
    return record;
  }

  /**
   * append() for writers that do not need the record back (routing, deliveries: several
   * records per event). The line is the same; the record object is built only when a live
   * subscriber is there to be told.
   */
  write(entry: JournalEntry, event?: unknown): void {
    if (entry.at !== undefined || this.subscribers.size > 0) {
      this.append(entry, event);
      return;
    }
    const masked = this.pii.mask(entry, event);
    this.file.appendRawLazy(`${this.lineHead(++this.seq, this.nowIso())}${JSON.stringify(masked).slice(1)}`);
  }

  /** `{"seq":…,"at":…,` — the start of a record's line, its entry's members to follow. */
  private lineHead(seq: number, at: string): string {
    return `{"seq":${seq},"at":${JSON.stringify(at)},`;
  }

  /** Tells live subscribers whose query matches; one that throws does not stop the others. */
  private notify(record: JournalRecord): void {
    for (const subscriber of this.subscribers) {
      if (matchesQuery(record, subscriber.query)) {
        try {
          subscriber.onRecord(record);
        } catch (error) {
          console.error(`busline journal: a subscriber threw: ${(error as Error).message}`);
        }
      }
    }
  }

  /**
   * append() for an `event.accepted` record whose event is already serialised: the line is
   * built around `eventText` instead of serialising the event a second time (hot path).
   */
  appendAccepted(entry: Omit<Extract<JournalEntry, { kind: 'event.accepted' }>, 'event'>, accepted: unknown, acceptedText: string): void {
    const masked = this.pii.maskAccepted(entry.eventId, accepted);
    const event = masked ?? accepted;
    const eventText = masked === undefined ? acceptedText : JSON.stringify(masked);
    const seq = ++this.seq;
    const at = entry.at ?? this.nowIso();
    const members = JSON.stringify(entry.at === undefined ? entry : { ...entry, at: undefined });
    this.file.appendRawLazy(`${this.lineHead(seq, at)}${members.slice(1, -1)},"event":${eventText}}`);
    if (this.subscribers.size > 0) {
      const record = { seq, at, ...entry, event } as JournalRecord;
      this.notify(record);
    }
  }

  /** Records matching the query, oldest first (everything written so far, from disk). */
  async query(query: JournalQuery = {}): Promise<JournalRecord[]> {
    await this.file.flush();
    return readJournalFile(this.file.path, query);
  }

  /**
   * Live records matching the query from now on, as they are written (no `rule.unmatched`:
   * those are derived when the journal is read, see rule-mismatches.ts); returns the
   * unsubscribe function.
   */
  subscribe(query: JournalQuery, onRecord: (record: JournalRecord) => void): () => void {
    const subscriber: Subscriber = { query, onRecord };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async flush(): Promise<void> {
    await this.file.flush();
  }

  /**
   * Retention: drops the records stamped before `cutoffMs` from the start of the file. Each bus's
   * last `bus.rules` record among them stays, so the events kept are still explained against the
   * rules they were routed with (rule-mismatches.ts).
   */
  dropRecordsBefore(cutoffMs: number): Promise<DroppedLines> {
    return dropOldLines(this.file, {
      isOld: (record) => Date.parse((record as JournalRecord).at) < cutoffMs,
      carryKey: (record) => {
        const r = record as JournalRecord;
        return r.kind === 'bus.rules' ? `bus.rules ${r.bus}` : undefined;
      },
    });
  }

  async close(): Promise<void> {
    this.subscribers.clear();
    await this.file.close();
  }
}

export function matchesQuery(record: JournalRecord, query: JournalQuery): boolean {
  if (query.afterSeq !== undefined && record.seq <= query.afterSeq) return false;
  if (query.correlationId !== undefined && record.correlationId !== query.correlationId) return false;
  if (query.topic !== undefined && record.topic !== query.topic) return false;
  if (query.eventId !== undefined && record.eventId !== query.eventId) return false;
  if (query.kinds !== undefined && !query.kinds.includes(record.kind)) return false;
  if (query.principal !== undefined && !principalMatches(record.principal, query.principal)) return false;
  return true;
}

/**
 * One record read from the journal, in journal order, and after an `event.accepted` the
 * `rule.unmatched` records derived for it: those the query wants (an event the query does not
 * want is not explained).
 */
function asRead(record: JournalRecord, query: JournalQuery, mismatches: RuleMismatches, onRecord: (record: JournalRecord) => void): void {
  mismatches.observe(record);
  if (matchesQuery(record, query)) onRecord(record);
  if (record.kind === 'event.accepted' && matchesQuery({ ...record, kind: 'rule.unmatched', rule: '', reason: '' }, query)) {
    for (const unmatched of mismatches.of(record)) if (matchesQuery(unmatched, query)) onRecord(unmatched);
  }
}

/**
 * Read a journal file without an engine (the CLI, a dashboard), with the `rule.unmatched`
 * records derived for the events read.
 */
export async function readJournalFile(path: string, query: JournalQuery = {}): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  const mismatches = new RuleMismatches();
  await readJsonLines(path, (record) => asRead(record as JournalRecord, query, mismatches, (r) => out.push(r)));
  return query.limit !== undefined && out.length > query.limit ? out.slice(out.length - query.limit) : out;
}

/** Read the journal of a state folder: `<stateDir>/journal/journal.jsonl`. */
export function readJournal(stateDir: string, query: JournalQuery = {}): Promise<JournalRecord[]> {
  return readJournalFile(join(stateDir, 'journal', JOURNAL_FILE), query);
}

/**
 * Follow a journal file from another process: calls onRecord for every matching record
 * already there (after `query.afterSeq`) and then for new ones as they are written (polled
 * every `intervalMs`), with the `rule.unmatched` records derived for the events among them.
 * Stops when the signal aborts; resolves then.
 *
 * Only complete lines (ending in a newline) are read and passed on; the follower's position
 * is always just after the last one. A line still being written, or torn by a crash, is not
 * consumed: it is read again at the next poll. That matters across an engine restart: the
 * engine cuts a torn last line off (the file shrinks back to that same position) and appends
 * from there, so the follower continues with the first record written after the restart,
 * neither skipping it nor gluing the torn bytes onto it. A file that is replaced (deleted and
 * written afresh, or shorter than the position) is followed from its start; one that retention
 * rewrote without its oldest records (its seq going on, see dropRecordsBefore) does not pass on
 * again what was passed on before.
 */
export async function followJournal(
  stateDir: string,
  query: JournalQuery,
  onRecord: (record: JournalRecord) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  const path = join(stateDir, 'journal', JOURNAL_FILE);
  /** Byte position just after the last complete line passed on. */
  let offset = 0;
  let inode: number | undefined;
  let mismatches = new RuleMismatches();
  /** The seq of the last record read. */
  let lastSeq = 0;
  /** Records up to this seq were passed on already (the file was rewritten by retention). */
  let readThrough = 0;
  while (!signal.aborted) {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch {
      handle = undefined;
    }
    if (handle) {
      try {
        const { size, ino } = await handle.stat();
        // A new file under the same name, or one replaced by a shorter one: read from its start.
        if ((inode !== undefined && ino !== inode) || size < offset) {
          offset = 0;
          mismatches = new RuleMismatches();
          // Retention rewrites the journal without its oldest records and its seq goes on, so
          // the new file reaches at least the last seq read; a journal begun afresh starts at 1.
          readThrough = (await lastSeqInFile(handle, size)) >= lastSeq ? lastSeq : 0;
        }
        inode = ino;
        // Bytes after `offset` that do not end in a newline yet (a line longer than a read).
        let partial: Buffer[] = [];
        let position = offset;
        while (position < size) {
          const buffer = Buffer.alloc(Math.min(1 << 20, size - position));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          const chunk = buffer.subarray(0, bytesRead);
          const lastNewline = chunk.lastIndexOf(0x0a);
          if (lastNewline < 0) {
            partial.push(chunk);
            continue;
          }
          // Decode whole lines only (as bytes: a UTF-8 character is never split either).
          const complete = Buffer.concat([...partial, chunk.subarray(0, lastNewline + 1)]);
          partial = [Buffer.from(chunk.subarray(lastNewline + 1))];
          offset += complete.length;
          for (const line of complete.toString('utf8').split('\n')) {
            if (!line) continue;
            let record: JournalRecord;
            try {
              record = JSON.parse(line) as JournalRecord;
            } catch {
              continue; // not a record (a complete line is never torn); nothing to follow
            }
            lastSeq = record.seq;
            if (record.seq <= readThrough) mismatches.observe(record);
            else asRead(record, query, mismatches, onRecord);
          }
        }
      } finally {
        await handle.close();
      }
    }
    await new Promise<void>((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort); // one listener per poll would pile up
        resolve();
      }, intervalMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

async function lastSeq(path: string): Promise<number> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return 0;
  }
  try {
    return await lastSeqInFile(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

/** The seq of the last record in the first `size` bytes of an open journal file (0 if none). */
async function lastSeqInFile(handle: FileHandle, size: number): Promise<number> {
  if (size === 0) return 0;
  const length = Math.min(size, 4 * 1024 * 1024);
  const buffer = Buffer.alloc(length);
  await handle.read(buffer, 0, length, size - length);
  const lines = buffer.toString('utf8').split('\n').filter((l) => l.length > 0);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const seq = (JSON.parse(lines[i]!) as { seq?: unknown }).seq;
      if (typeof seq === 'number') return seq;
    } catch {
      // a partial first line of the window, or a torn last line: look further back
    }
  }
  return 0;
}
