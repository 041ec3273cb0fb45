/**
 * Coalesces the events of concurrent publishers into shared sends. The records of a queue batch
 * run concurrently and tend to finish together (their dedupe locks come back in the same poll
 * of the event loop); each would otherwise make its own PutEvents call for its one or two
 * events. Here, every group submitted during one turn of the event loop is held until the turn
 * ends (setImmediate), or until a full call's worth (10 entries, or the entry size limit) is waiting,
 * and the waiting entries go out in one send, which packs them into as few calls as the limits
 * allow (publisher.ts `putEntries`).
 *
 * A group's promise resolves once each of ITS entries is settled (accepted, or failed for good):
 * the caller reads its own entries' outcomes, so one group's failed entries fail only that
 * group, and a group whose entries all went through does not wait on another's retries.
 */

/** What the batcher needs of an entry: its size, to flush before a call would overflow. */
export interface BatchableEntry {
  readonly bytes: number;
}

/**
 * Sends `entries` and calls `settled(entry)` exactly once per entry when its outcome is final.
 * Must not reject: an entry's failure is recorded on the entry.
 */
export type BatchSend<T extends BatchableEntry> = (entries: T[], settled: (entry: T) => void) => Promise<void>;

export interface PublishBatcher<T extends BatchableEntry> {
  /** Resolves once every entry of `entries` is settled; never rejects. */
  submit(entries: readonly T[]): Promise<void>;
}

interface Group {
  remaining: number;
  resolve: () => void;
}

/** When to send without waiting for the turn to end: one PutEvents call's worth is waiting. */
export interface FlushLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export function createPublishBatcher<T extends BatchableEntry>(send: BatchSend<T>, limits: FlushLimits): PublishBatcher<T> {
  let waiting: T[] = [];
  let owners = new Map<T, Group>();
  let waitingBytes = 0;
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    if (waiting.length === 0) return;
    const entries = waiting;
    const ownerOf = owners;
    waiting = [];
    owners = new Map();
    waitingBytes = 0;
    const settled = (entry: T): void => {
      const group = ownerOf.get(entry);
      if (!group) return;
      ownerOf.delete(entry);
      if (--group.remaining === 0) group.resolve();
    };
    send(entries, settled).then(
      // Whatever the send left unsettled (a send that broke its contract) must not hang its callers.
      () => ownerOf.forEach((_group, entry) => settled(entry)),
      () => ownerOf.forEach((_group, entry) => settled(entry)),
    );
  };

  return {
    submit(entries) {
      if (entries.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const group: Group = { remaining: entries.length, resolve };
        for (const entry of entries) {
          // Entries are distinct objects (one per prepared event); a repeated one is sent once.
          if (owners.has(entry)) {
            group.remaining--;
            continue;
          }
          owners.set(entry, group);
          waiting.push(entry);
          waitingBytes += entry.bytes;
        }
        if (group.remaining === 0) resolve();
        if (waiting.length >= limits.maxEntries || waitingBytes >= limits.maxBytes) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
