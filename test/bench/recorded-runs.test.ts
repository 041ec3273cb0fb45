/** bench/RESULTS.md's recorded runs survive a full `npm run bench` that rewrites the file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECORDED_RUNS_HEADING, recordedRuns } from '../../bench/lib/recorded-runs.ts';

test('the recorded runs of an earlier file are its text from their heading to the end', () => {
  const previous = `# Busline benchmarks\n\n## Routing\n\n| a |\n\n${RECORDED_RUNS_HEADING}\n\n### Soak\n\n{"lost":0}\n`;
  assert.equal(recordedRuns(previous), `${RECORDED_RUNS_HEADING}\n\n### Soak\n\n{"lost":0}\n`);
});

test('a file without recorded runs, or no earlier file, carries nothing over', () => {
  assert.equal(recordedRuns('# Busline benchmarks\n\n## Routing\n'), '');
  assert.equal(recordedRuns(undefined), '');
});

test('the heading quoted inside a line is not taken for the start of the recorded runs', () => {
  assert.equal(recordedRuns(`# Busline benchmarks\n\nsee "${RECORDED_RUNS_HEADING}" below\n`), '');
});
