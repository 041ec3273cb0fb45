/**
 * What a test needs from outside node_modules: a tool on PATH (moto_server, cfn-lint, the aws
 * CLI, chromium) or a file beside the checkout (../shared/conformance). On a developer's machine a test
 * whose prerequisite is missing skips with a one-line reason. Under CI (the CI variable set, and
 * not "false" or "0") the test file fails instead, naming what is missing and how to get it: CI
 * never passes with a hidden skip (.ci/run also fails when the run reports any skipped test).
 *
 *   const skip = toolMissing('moto_server');          // reason or false; throws under CI
 *   test('…', { skip }, async () => { … });
 */
import { spawnSync } from 'node:child_process';

export const IN_CI = !['', '0', 'false'].includes((process.env['CI'] ?? '').toLowerCase());

/** The external tools the tests run: how to probe each, and how to install it. */
export const TOOLS = {
  moto_server: { probe: ['--help'], install: 'pip install "moto[server]"' },
  'cfn-lint': { probe: ['--version'], install: 'pip install cfn-lint' },
  aws: { probe: ['--version'], install: 'pip install awscli (or apt-get install awscli)' },
  /** Debian's chromium, driven by playwright-core in the dashboard's browser tests. */
  chromium: { probe: ['--version'], install: 'apt-get install chromium' },
} as const satisfies Record<string, { probe: readonly string[]; install: string }>;

export type Tool = keyof typeof TOOLS;

/**
 * `missing` (a one-line reason) to pass as a test's `skip`, or false when nothing is missing.
 * Under CI a reason is thrown instead, which fails the test file with that reason.
 */
export function skipUnlessPresent(missing: string | false): string | false {
  if (missing && IN_CI) throw new Error(`${missing}; under CI a missing prerequisite fails the tests instead of skipping them`);
  return missing;
}

const probed = new Map<Tool, string | false>();

/** Whether `tool` runs on this machine (probed once per process), through skipUnlessPresent. */
export function toolMissing(tool: Tool): string | false {
  if (!probed.has(tool)) {
    const { probe, install } = TOOLS[tool];
    const run = spawnSync(tool, probe, { stdio: 'ignore', timeout: 20_000 });
    probed.set(tool, run.error || run.status !== 0 ? `${tool} is not installed (${install})` : false);
  }
  return skipUnlessPresent(probed.get(tool)!);
}
