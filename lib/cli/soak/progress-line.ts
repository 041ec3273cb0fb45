/**
 * Progress of a long command on stderr without filling a log: on a terminal one line rewritten
 * in place (at most 10 times a second); elsewhere (CI logs) one line every 15 seconds.
 */
import type { WriteStream } from 'node:tty';

export interface ProgressLine {
  update(text: string): void;
  /** Removes the line (terminal) so the report starts on a clean line. */
  clear(): void;
}

const TERMINAL_EVERY_MS = 100;
const LOG_EVERY_MS = 15_000;

export function progressLine(stream: NodeJS.WriteStream | WriteStream): ProgressLine {
  const terminal = stream.isTTY === true;
  const every = terminal ? TERMINAL_EVERY_MS : LOG_EVERY_MS;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      if (terminal) {
        stream.write(`\r\x1b[2K${text.slice(0, (stream.columns || 100) - 1)}`);
        shown = true;
      } else stream.write(`${text}\n`);
    },
    clear() {
      if (terminal && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
