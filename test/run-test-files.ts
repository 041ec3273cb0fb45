/**
 * `npm test`'s last step: every test/**\/*.test.ts (or the files given) in Node's test runner, two
 * files at a time, each in a process of its own started with this one's `--import tsx`. TAP goes to
 * stdout, as `node --test` prints it when stdout is not a terminal.
 *
 *   node --import tsx test/run-test-files.ts [file ...]
 *
 * Two guards keep a test process that never ends from holding CI until CI is killed, with nothing
 * said of which file it was (CI's run of stop 27 ended that way: its output stopped between two files
 * and nothing more came until it was killed at 90 minutes; both files pass in every run here):
 * - a file's process exits once its tests and their after() hooks are done (`forceExit`), even if
 *   something it started still holds the event loop open. A test declared after a top-level await
 *   that follows another test could then be dropped unseen, so test files declare their tests after
 *   their top-level awaits (checked in run-test-files.test.ts);
 * - a file has FILE_TIMEOUT_MS. One that takes longer fails as timed out, named, and is then run once
 *   more on its own, printed as such: the run passes only if that second run passes. A file that
 *   fails in any other way is not run again.
 */
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';
import { allTestFiles } from './support/test-files.ts';

/**
 * How long one test file may take, its process started to ended: about 4× the slowest file's time in
 * CI. BUSLINE_TEST_FILE_TIMEOUT_MS sets another (the runner's own tests use a short one).
 */
const FILE_TIMEOUT_MS = Number(process.env['BUSLINE_TEST_FILE_TIMEOUT_MS'] ?? 15 * 60_000);
const CONCURRENCY = 2;

interface Outcome {
  /** Files whose process ran past FILE_TIMEOUT_MS. */
  readonly timedOut: string[];
  /** Files with a test that failed (timed-out files aside). */
  readonly failed: string[];
}

/** Runs `files`, printing TAP; resolves with the files that timed out and those where a test failed. */
async function runFiles(files: readonly string[], concurrency: number): Promise<Outcome> {
  const timedOut = new Map<string, string>(); // absolute path → the path as given
  const failed = new Set<string>();
  const stream = run({ files: [...files], concurrency, timeout: FILE_TIMEOUT_MS, forceExit: true });
  stream.on('test:fail', (test) => {
    const file = test.file ?? test.name;
    // The runner reports a file that ran out of time as a failed test named by the file's path.
    const error = test.details.error as Error & { failureType?: string };
    if (resolve(test.name) === file && error.failureType === 'testTimeoutFailure') timedOut.set(file, test.name);
    else failed.add(file);
  });
  const out = stream.compose(tap);
  out.pipe(process.stdout, { end: false });
  await finished(out);
  // A test cut short by its file's timeout counts with the file, which is run again.
  return { timedOut: [...timedOut.values()], failed: [...failed].filter((file) => !timedOut.has(file)) };
}

const given = process.argv.slice(2);
const first = await runFiles(given.length > 0 ? given : allTestFiles(), CONCURRENCY);
let passed = first.failed.length === 0;
if (first.timedOut.length > 0) {
  for (const file of first.timedOut) console.log(`# run-test-files: ${file} ran past ${FILE_TIMEOUT_MS / 1000} s and was stopped; running it once more, alone`);
  const again = await runFiles(first.timedOut, 1);
  const passedAgain = again.failed.length === 0 && again.timedOut.length === 0;
  console.log(`# run-test-files: run again, ${first.timedOut.join(', ')} ${passedAgain ? 'passed (a file that hangs twice fails)' : 'failed'}`);
  passed &&= passedAgain;
}
process.exitCode = passed ? 0 : 1;
