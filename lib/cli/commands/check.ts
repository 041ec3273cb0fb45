/**
 * `busline check [--base <git ref>] [--mode backward|forward|full|none] [--schemas <dir>] [--assembly <cdk.out>]
 *                [--against-archive [--archive-dir .busline/archive]]`
 *
 * Fails (exit 1) when a schema breaks its topic's compatibility mode, against its previous
 * version and, with --base, against the same file at that ref; with --against-archive, also
 * when events the local engine archived fail the schemas as they are now. Exit 2 on bad usage.
 * Mode precedence: the topic's own `x-busline-compatibility` > --mode > backward.
 */
import { resolve } from 'node:path';
import { checkArchivedEvents, readArchivedEvents } from '../../schema/archive-check.ts';
import { COMPATIBILITY_MODES, DEFAULT_COMPATIBILITY_MODE, isCompatibilityMode, type CompatibilityMode } from '../../schema/compatibility.ts';
import { runCompatibilityGate } from '../../schema/compatibility-gate.ts';
import { loadFlows } from '../../schema/flow-assembly.ts';
import type { FlowManifest } from '../../schema/flow-manifest.ts';
import { gitBase } from '../../schema/git-base.ts';
import { loadSchemas } from '../../schema/schema-set.ts';
import { parseCommandArgs } from '../args.ts';

const USAGE = 'usage: busline check [--base <git ref>] [--mode backward|forward|full|none] [--schemas <dir>] [--assembly <cdk.out>] [--against-archive [--archive-dir <dir>]]';

/** One line for `busline help`. */
export const summary = "fail on schema changes that break a topic's compatibility mode";

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(USAGE, {
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      base: { type: 'string' },
      mode: { type: 'string', default: DEFAULT_COMPATIBILITY_MODE },
      schemas: { type: 'string', default: 'schemas' },
      assembly: { type: 'string' },
      'against-archive': { type: 'boolean', default: false },
      'archive-dir': { type: 'string', default: '.busline/archive' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!isCompatibilityMode(values.mode)) {
    return usageError(`--mode ${values.mode} is not a compatibility mode: use one of ${COMPATIBILITY_MODES.join(', ')}\n${USAGE}`);
  }
  const mode: CompatibilityMode = values.mode;
  try {
    const schemasDir = resolve(values.schemas);
    const topics = loadSchemas(schemasDir);
    const base = values.base === undefined ? undefined : gitBase(schemasDir, values.base);
    const gate = (flows: readonly FlowManifest[]) => runCompatibilityGate({
      topics,
      defaultMode: mode,
      flows,
      ...(base ? { changedFiles: base.changedFiles, base } : {}),
    });
    // The flow declaration only names affected parties: read it (maybe synthesizing the app,
    // which takes seconds) only when something breaks.
    let result = gate([]);
    if (result.violations.length > 0) result = gate(await flowsOrNone(values.assembly));
    for (const v of result.violations) process.stderr.write(`✗ ${v.message}\n`);
    let archiveNote = '';
    let archiveFindings = 0;
    if (values['against-archive']) {
      const events = readArchivedEvents(resolve(values['archive-dir']));
      // With --base, only the topics whose schemas changed; else every topic.
      const only = base ? new Set([...topics.values()].filter((t) => t.versions.some((v) => base.changedFiles.has(v.file))).map((t) => t.topic)) : undefined;
      const findings = checkArchivedEvents(topics, events, only);
      for (const f of findings) process.stderr.write(`✗ ${f.message}\n`);
      archiveFindings = findings.length;
      archiveNote = `, ${events.length} archived event(s)`;
    }
    const scope = `${result.comparisons.length} comparison(s) across ${topics.size} topic(s)${base ? ` (changed since ${base.ref}: ${base.changedFiles.size} file(s))` : ''}${archiveNote}`;
    if (result.violations.length > 0 || archiveFindings > 0) {
      process.stderr.write(`busline check: ${result.violations.length} breaking change(s)${values['against-archive'] ? ` and ${archiveFindings} archive finding(s)` : ''} in ${scope}\n`);
      return 1;
    }
    process.stdout.write(`busline check: no breaking changes in ${scope}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`busline check: ${(err as Error).message}\n`);
    return 1;
  }
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

/** The gate still runs without a flow declaration; its messages then say the parties are unknown. */
async function flowsOrNone(assembly: string | undefined): Promise<FlowManifest[]> {
  if (assembly !== undefined) return (await loadFlows({ assembly, appDir: process.cwd() })).map((f) => f.manifest);
  try {
    return (await loadFlows({ appDir: process.cwd() })).map((f) => f.manifest);
  } catch (err) {
    process.stderr.write(`busline check: no flow declaration (${(err as Error).message}); affected parties will not be named\n`);
    return [];
  }
}
