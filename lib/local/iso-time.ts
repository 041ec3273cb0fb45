/**
 * ISO-8601 texts of epoch times, as the engine writes them many times a second (journal
 * stamps, event times, ingestion times): each formatted once and reused while the time stays
 * the same, so a burst of events costs one Date per millisecond (or second), not one each.
 */

/**
 * A formatter of `new Date(ms).toISOString()` (e.g. 2026-12-07T09:30:00.123Z) that keeps its
 * last answer. One per caller: two callers sharing one, each with its own time (the time an
 * event was accepted, the time a record is written), would undo each other's cache.
 */
export function isoMillisFormatter(): (ms: number) => string {
  let last = { ms: Number.NaN, text: '' };
  return (ms) => {
    if (ms !== last.ms) last = { ms, text: new Date(ms).toISOString() };
    return last.text;
  };
}

let lastSecond = { second: Number.NaN, text: '' };
/** The time to the second, as EventBridge writes an event's `time`, e.g. 2026-12-07T09:30:00Z. */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond.second) lastSecond = { second, text: new Date(second * 1000).toISOString().replace('.000Z', 'Z') };
  return lastSecond.text;
}
