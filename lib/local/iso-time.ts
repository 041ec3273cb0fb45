/**
 * ISO-8601 texts of epoch times, as the engine writes them many times a second (journal
 * stamps, event times, ingestion times): each formatted once and reused while the time stays
 * the same, so a burst of events costs one Date per millisecond (or second), not one each.
 */

let lastMillis = { ms: Number.NaN, text: '' };
/** `new Date(ms).toISOString()`, e.g. 2026-12-07T09:30:00.123Z. */
export function isoMillis(ms: number): string {
  if (ms !== lastMillis.ms) lastMillis = { ms, text: new Date(ms).toISOString() };
  return lastMillis.text;
}

let lastSecond = { second: Number.NaN, text: '' };
/** The time to the second, as EventBridge writes an event's `time`, e.g. 2026-12-07T09:30:00Z. */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond.second) lastSecond = { second, text: new Date(second * 1000).toISOString().replace('.000Z', 'Z') };
  return lastSecond.text;
}
