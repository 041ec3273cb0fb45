/**
 * The fuzzers' budget and how a failure is reproduced.
 *
 * Every property runs a fixed number of runs from a fixed seed, so `npm test` (and CI) stays
 * within seconds and sees the same inputs on every run. Two environment variables override it:
 *
 *   BUSLINE_FUZZ_SEED=<integer>   the seed (default: 20261207)
 *   BUSLINE_FUZZ_RUNS=<integer>   runs per property (default: each property's own budget)
 *   BUSLINE_FUZZ_PATH=<path>      replay one shrunk counterexample (the path a failure prints)
 *
 * A failing property throws fast-check's report (the counterexample, shrunk) followed by the
 * command that replays it.
 */
import fc from 'fast-check';

export const DEFAULT_FUZZ_SEED = 20261207;

function integerFromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

/** The seed, runs and replay path for one property with `defaultRuns` runs. */
export function fuzzParameters(defaultRuns: number): { seed: number; numRuns: number; path?: string } {
  const runs = integerFromEnv('BUSLINE_FUZZ_RUNS') ?? defaultRuns;
  if (runs < 1) throw new Error(`BUSLINE_FUZZ_RUNS must be at least 1, got ${runs}`);
  const path = process.env['BUSLINE_FUZZ_PATH'];
  return { seed: integerFromEnv('BUSLINE_FUZZ_SEED') ?? DEFAULT_FUZZ_SEED, numRuns: runs, ...(path ? { path } : {}) };
}

/** The command that replays a failure of the test file `file`. */
export function reproduceCommand(file: string, seed: number, path: string | undefined): string {
  const env = `BUSLINE_FUZZ_SEED=${seed}${path ? ` BUSLINE_FUZZ_PATH=${path}` : ''}`;
  return `${env} node --import tsx --test ${file}`;
}

/**
 * Runs `property` within the budget; on failure throws fast-check's report and the command that
 * reproduces it (`file` is the test file, relative to the repository root).
 */
export async function checkFuzzProperty<T>(file: string, property: fc.IRawProperty<T>, defaultRuns: number): Promise<void> {
  const parameters = fuzzParameters(defaultRuns);
  const details = await fc.check(property, { ...parameters, includeErrorInReport: true });
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? 'the property failed';
  throw new Error(`${report}\n\nReproduce with:\n  ${reproduceCommand(file, details.seed, details.counterexamplePath ?? undefined)}`, {
    cause: details.errorInstance,
  });
}
