/**
 * A bounded, expiry-aware LRU of keys this container saw COMPLETED, in front of
 * the store: a duplicate delivered to the same warm container is recognised
 * without a DynamoDB call. Only COMPLETED keys are cached (a lock's state changes
 * under us; a COMPLETED record only ever expires).
 */

export interface CompletedEntry {
  /** Epoch ms the first successful attempt finished. */
  readonly processedAtMs: number;
  /** Epoch ms the entry stops suppressing duplicates (the store record's expiry). */
  readonly expiresAtMs: number;
}

export class CompletedKeyCache {
  readonly maxEntries: number;
  // A Map iterates in insertion order: re-inserting on hit makes the first key the least recently used.
  readonly #entries = new Map<string, CompletedEntry>();
  /**
   * One live iterator over the keys, kept between evictions. A Map keeps deleted slots until it
   * rehashes, and a fresh `keys()` walks over every one of them, so evicting with a new iterator
   * each time costs O(evictions since the last rehash). The kept iterator stands on the last
   * evicted key: every key before it is gone, so its next key is the least recently used one
   * (a key moved to the end by a hit is met again there, in its new place).
   */
  #oldest: IterableIterator<string> | undefined;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError(`CompletedKeyCache: maxEntries must be a whole number >= 0 (0 turns the cache off), got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
  }

  /** The entry for `key` if present and unexpired at `nowMs`; an expired entry is dropped. */
  get(key: string, nowMs: number): CompletedEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAtMs <= nowMs) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CompletedEntry): void {
    if (this.maxEntries === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) {
      let oldest = (this.#oldest ??= this.#entries.keys()).next();
      // An iterator that reached the end stays done: start a new one.
      if (oldest.done) oldest = (this.#oldest = this.#entries.keys()).next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
