import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../lib/runtime/logger.ts';

/** The `time` of a line written when the clock reads `epochMs`. */
function timeOfLineAt(epochMs: number): unknown {
  const lines: string[] = [];
  const now = mock.method(Date, 'now', () => epochMs);
  try {
    createLogger('info', (l) => void lines.push(l)).info('tick');
  } finally {
    now.mock.restore();
  }
  return (JSON.parse(lines[0]!) as { time: unknown }).time;
}

test("a line's time is the instant as Date.prototype.toISOString writes it, whatever the clock does between lines", () => {
  const instants = [
    '2026-12-07T13:10:00.000Z',
    '2026-12-07T13:10:00.007Z',
    '2026-12-07T13:10:09.099Z',
    '2026-12-07T13:10:59.999Z',
    '2026-12-07T13:11:00.000Z', // the next minute
    '2026-12-07T13:09:30.500Z', // the clock set back
    '2000-02-29T23:59:59.999Z',
    '2000-03-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z', // before the epoch
    '+010000-01-01T00:00:00.010Z', // a six-digit year
  ].map((iso) => Date.parse(iso));
  for (const t of instants) assert.equal(timeOfLineAt(t), new Date(t).toISOString());
});
