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
 * A journal view over the journal file that reads only what was appended since the last call
 * (the file only grows while the engine runs).
 */
export function journalFileView(file: string, label: (physicalName: string) => string): JournalView {
  const records: JournalRecord[] = [];
  let offset = 0;
  return {
    records() {
      const next = readJournal(file, offset);
      offset = next.offset;
      records.push(...next.records);
      return records;
    },
    label,
  };
}
