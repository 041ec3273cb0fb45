/**
 * Reads the engine's journal (`<state>/journal/journal.jsonl`, one JSON record a line, see
 * lib/local/journal/types.ts) directly from disk, so `busline events` works while the engine
 * runs and after it stopped. Follow mode polls the file's size.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JournalRecord } from '../local/journal/types.ts';
import type { JournalView } from './flow-operations.ts';

export function journalPath(stateDir: string): string {
  return join(resolve(stateDir), 'journal', 'journal.jsonl');
}

/** Reads records from byte `from`; returns them and the offset after the last complete line. */
export function readJournal(file: string, from = 0): { records: JournalRecord[]; offset: number } {
  if (!existsSync(file)) return { records: [], offset: from };
  const size = statSync(file).size;
  if (size <= from) return { records: [], offset: from };
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    readSync(fd, buffer, 0, buffer.length, from);
    const text = buffer.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { records: [], offset: from };
    const records: JournalRecord[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      if (!line.trim()) continue;
      try { records.push(JSON.parse(line) as JournalRecord); } catch { /* a torn line from a crash: skip it */ }
    }
    return { records, offset: from + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A journal view over the journal file that reads only what was appended since the last call.
 * When the engine's retention rewrites the file without its oldest records (a new file under the
 * name), the view reads it again from its start and holds only what it holds: so `records()` may
 * return fewer records than before, and a caller that waits for new ones keeps a seq (recordsAfter).
 */
export function journalFileView(file: string, label: (physicalName: string) => string): JournalView {
  let records: JournalRecord[] = [];
  let offset = 0;
  let inode: number | undefined;
  return {
    records() {
      const ino = existsSync(file) ? statSync(file).ino : undefined;
      if (ino !== inode) {
        records = [];
        offset = 0;
        inode = ino;
      }
      const next = readJournal(file, offset);
      offset = next.offset;
      records.push(...next.records);
      return records;
    },
    label,
  };
}

/** The seq of the last record (0 for none): where recordsAfter picks up. */
export function lastSeqOf(records: readonly JournalRecord[]): number {
  return records.at(-1)?.seq ?? 0;
}

/** The records after `seq`, of records in seq order (as the journal keeps them). */
export function recordsAfter(records: readonly JournalRecord[], seq: number): readonly JournalRecord[] {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (records[mid]!.seq <= seq) low = mid + 1;
    else high = mid;
  }
  return records.slice(low);
}
