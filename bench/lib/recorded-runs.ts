/**
 * Runs recorded by hand in bench/RESULTS.md: figures no `npm run bench` section makes because a
 * run takes too long for it (the 10,000-event soak) or compares this tree with an earlier commit
 * (routing against an issue's baseline). They sit after RECORDED_RUNS_HEADING, each with its
 * command, date and machine load, and a full bench run carries them over unchanged into the file
 * it writes, so regenerating the measured sections never loses them.
 */
export const RECORDED_RUNS_HEADING = '## Recorded runs (kept by npm run bench, not made by it)';

/** The recorded-runs part of an earlier RESULTS.md, from its heading to the end ('' when none). */
export function recordedRuns(previous: string | undefined): string {
  if (previous === undefined) return '';
  const at = previous.indexOf(`\n${RECORDED_RUNS_HEADING}\n`);
  return at === -1 ? '' : previous.slice(at + 1);
}
