/** Where EventBridge routing writes its lineage records (the engine's journal). */
import type { JournalEntry } from '../journal/types.ts';

export interface JournalSink {
  append(entry: JournalEntry): void;
  /** append() of an event.accepted record with the event already serialised. */
  appendAccepted(entry: Omit<Extract<JournalEntry, { kind: 'event.accepted' }>, 'event'>, event: unknown, eventText: string): void;
}
