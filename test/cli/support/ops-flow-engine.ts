/**
 * The operations flow (ops-flow.ts) running in the local engine with its real handlers, and
 * `busline dev`'s session file written, so each `busline …` run in its own process without
 * --stack works on it, as on a developer's machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { startLocalApp, type JournalRecord, type LocalApp } from 'busline/local';
import { writeDevSession } from '../../../lib/cli/dev-session.ts';
import { opsFlowStack, type ExtendOpsFlow } from './ops-flow.ts';
import { runBusline, type BuslineRun } from './run-busline.ts';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export interface OpsFlowEngine {
  readonly app: LocalApp;
  readonly stateDir: string;
  /** `busline <args> --state <the engine's state>`, in its own process. */
  busline(...args: string[]): Promise<BuslineRun>;
  /** The journal's records (the journal file flushed first). */
  journal(): Promise<JournalRecord[]>;
  stop(): Promise<void>;
}

/** The ops flow in the engine; `extend` adds a spec's own subscriptions to it. */
export async function startOpsFlowEngine(prefix: string, extend?: ExtendOpsFlow): Promise<OpsFlowEngine> {
  const stack = opsFlowStack('000000000000', 'us-east-1', extend);
  const assemblyDir = (stack.node.root as App).synth().directory;
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  const app = await startLocalApp({ assembly: assemblyDir, stateDir, port: 0 });
  writeDevSession({ endpoint: app.engine.endpoint, pid: process.pid, assemblyDir, projectDir: REPO, stateDir, startedAt: new Date().toISOString() });
  return {
    app, stateDir,
    busline: (...args) => runBusline([...args, '--state', stateDir], {}),
    journal: () => app.engine.journalQuery({}),
    async stop() {
      await app.stop();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(assemblyDir, { recursive: true, force: true });
    },
  };
}

/** The output of a run that must succeed (the run's stderr in the failure message). */
export function succeeded(run: BuslineRun): string {
  assert.equal(run.code, 0, `busline failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}
