/**
 * Retention of the state folder's histories: the journal keeps `journalRetentionDays` of records,
 * and each bus's archive its events for as long as the archives declared on the bus say. The
 * engine applies it at start and then every hour (engine.ts); both files are cut from their start,
 * so it costs the dropped part, never a scan of what is kept.
 */
import { busNameOf } from './eventbridge/declarations.ts';
import type { EventArchive } from './eventbridge/archive.ts';
import type { ArchiveDefinition } from './eventbridge/types.ts';
import type { Journal } from './journal/journal.ts';
import type { DroppedLines } from './store/drop-old-lines.ts';

/** How long the journal keeps its records unless LocalEngineOptions.journalRetentionDays says otherwise. */
export const DEFAULT_JOURNAL_RETENTION_DAYS = 7;
/** How often a running engine applies retention. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What one application of retention dropped. */
export interface RetentionReport {
  /** Journal records dropped. */
  readonly journal: DroppedLines;
  /** Archived events dropped, by bus (buses that lost none are left out). */
  readonly archive: Readonly<Record<string, DroppedLines>>;
}

/**
 * Days a bus's archive keeps an event, undefined for indefinitely. The longest RetentionDays of the
 * archives declared on the bus, where 0 (AWS's default) means indefinitely, as on AWS: the engine
 * keeps one archive file per bus for all of them. A bus with no archive declared is archived anyway
 * (replay falls back to it) and keeps its events as long as the journal keeps its records.
 */
export function archiveRetentionDays(bus: string, archives: Iterable<ArchiveDefinition>, journalDays: number): number | undefined {
  let longest: number | undefined;
  let declared = false;
  for (const archive of archives) {
    if (busNameOf(archive.EventSourceArn) !== bus) continue;
    declared = true;
    const days = archive.RetentionDays ?? 0;
    if (days === 0) return undefined;
    longest = Math.max(longest ?? 0, days);
  }
  if (declared) return longest;
  return journalDays === 0 ? undefined : journalDays;
}

export interface RetentionParts {
  readonly journal: Journal;
  readonly archive: EventArchive;
  readonly archives: Iterable<ArchiveDefinition>;
  /** The engine clock's now, ms. */
  readonly now: number;
  /** 0 keeps the journal indefinitely. */
  readonly journalRetentionDays: number;
}

/** Drops what is older than its retention from the journal and every bus's archive. */
export async function applyRetention(parts: RetentionParts): Promise<RetentionReport> {
  const { journalRetentionDays: journalDays, now } = parts;
  const archives = [...parts.archives]; // read once per bus below
  const journal = journalDays === 0 ? { lines: 0, bytes: 0 } : await parts.journal.dropRecordsBefore(now - journalDays * DAY_MS);
  const archive: Record<string, DroppedLines> = {};
  for (const bus of await parts.archive.buses()) {
    const days = archiveRetentionDays(bus, archives, journalDays);
    if (days === undefined) continue;
    const dropped = await parts.archive.dropEventsBefore(bus, now - days * DAY_MS);
    if (dropped.lines > 0) archive[bus] = dropped;
  }
  return { journal, archive };
}

/** Checks a retention period in days: a whole number, 0 for indefinitely. */
export function checkRetentionDays(days: number, what: string): number {
  if (!Number.isInteger(days) || days < 0) {
    throw new Error(`${what} must be a whole number of days (0 keeps everything), got ${days}`);
  }
  return days;
}
