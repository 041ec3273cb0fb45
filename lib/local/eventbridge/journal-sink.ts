/** Where EventBridge routing writes its lineage records (the engine's journal). */
import type { JournalEntry } from '../journal/types.ts';

export interface JournalSink {
  /** Write a record (Journal.write: nobody needs the record back). */
  write(entry: JournalEntry): void;
  /** write() of an event.accepted record with the event already serialised. */
  appendAccepted(entry: Omit<Extract<JournalEntry, { kind: 'event.accepted' }>, 'event'>, event: unknown, eventText: string): void;
}
