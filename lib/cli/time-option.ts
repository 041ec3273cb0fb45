/** The time options of `replay` and `tail`: ISO-8601, `now`, or a duration ago (15m, 2h, 1d). */

export function parseTime(text: string, now = Date.now()): Date {
  if (text === 'now') return new Date(now);
  const rel = /^-?(\d+)([smhd])$/.exec(text);
  if (rel) return new Date(now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2] as 's' | 'm' | 'h' | 'd']);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`"${text}" is not a time: use ISO-8601 (2026-11-25T12:00:00Z), now, or a duration ago like 15m / 2h`);
  return d;
}
