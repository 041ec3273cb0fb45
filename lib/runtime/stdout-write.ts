/**
 * One write of text to stdout, as `process.stdout.write(text)` makes it, without the stream's
 * machinery when nothing depends on it. The runtime writes a batch's EMF and summary lines in one
 * write (logger.ts, stdoutSink), and the Writable's part of that write (its state checks, a
 * Buffer made from the string, the callback bookkeeping) is a measurable share of a batch's CPU.
 *
 * The text goes straight to file descriptor 1 (fs.writeSync) only when that is what the stream
 * would do: stdout writes to fd 1, nothing waits in its buffer (so this write cannot overtake an
 * earlier one), and its `write` is the stream's own, not one a test or a host put in its place to
 * capture output (as the local engine's function environment does:
 * lib/local/lambda/environment-main.mjs). Stdout on a file or a pipe is synchronous on Linux
 * (Node.js, "A note on process I/O", https://nodejs.org/api/process.html#a-note-on-process-io):
 * the stream's write is this same write(2). Should the system call fail (EAGAIN on a non-blocking
 * pipe) or write part of the text, the stream writes what is left: nothing is lost.
 */
import { writeSync } from 'node:fs';

export function writeStdout(text: string): void {
  const stdout = process.stdout;
  if (Object.hasOwn(stdout, 'write') || stdout.writableLength !== 0 || (stdout as { fd?: unknown }).fd !== 1) {
    stdout.write(text);
    return;
  }
  let written: number;
  try {
    written = writeSync(1, text);
  } catch {
    stdout.write(text);
    return;
  }
  // writeSync counts bytes: what a partial write left, as bytes.
  if (written < Buffer.byteLength(text)) stdout.write(Buffer.from(text).subarray(written));
}
