/** The CLI's and the dashboard's view of the journal file (lib/cli/journal-file.ts), across a retention rewrite. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../lib/local/journal/journal.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { journalFileView, lastSeqOf, recordsAfter } from '../../lib/cli/journal-file.ts';

const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();

async function journalWith(t: { after: (fn: () => Promise<void>) => void }, days: readonly number[]): Promise<Journal> {
  const dir = await mkdtemp(join(tmpdir(), 'busline-journal-file-'));
  const journal = await Journal.open(dir);
  t.after(async () => {
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });
  for (const n of days) journal.append({ kind: 'delivery.deleted', queue: 'q', messageId: `m-${n}`, at: day(n) });
  await journal.flush();
  return journal;
}

const messages = (records: readonly JournalRecord[]) => records.map((r) => (r.kind === 'delivery.deleted' ? r.messageId : r.kind));

test('the view reads the file again when retention rewrites it, and holds only what the file holds', async (t) => {
  const journal = await journalWith(t, [1, 2, 3]);
  const view = journalFileView(journal.path, (name) => name);
  assert.deepEqual(messages(view.records()), ['m-1', 'm-2', 'm-3']);
  await journal.dropRecordsBefore(Date.parse(day(3)));
  journal.append({ kind: 'delivery.deleted', queue: 'q', messageId: 'm-4', at: day(4) });
  await journal.flush();
  assert.deepEqual(messages(view.records()), ['m-3', 'm-4']);
});

test('recordsAfter gives the records after a seq, so a caller waiting for new ones is not thrown by a shorter view', async (t) => {
  const journal = await journalWith(t, [1, 2, 3]);
  const view = journalFileView(journal.path, (name) => name);
  const seen = lastSeqOf(view.records());
  await journal.dropRecordsBefore(Date.parse(day(3)));
  journal.append({ kind: 'delivery.deleted', queue: 'q', messageId: 'm-4', at: day(4) });
  await journal.flush();
  assert.deepEqual(messages(recordsAfter(view.records(), seen)), ['m-4']);
  assert.deepEqual(messages(recordsAfter(view.records(), 0)), ['m-3', 'm-4']);
});
