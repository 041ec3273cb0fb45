/**
 * The dashboard against a running engine: the operations flow (ops-flow.ts) with a fourth
 * subscription, `tally` (through a queue; refuses for good a greeting of more than 10 times,
 * so a dead letter can be fixed and succeed), in the local engine with its real handlers, `busline dev`'s session file written, and the dashboard
 * server on a free 127.0.0.1 port over the local flow target — as `busline dev` starts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { startLocalApp, type InvocationFinishedRecord, type LocalApp } from 'busline/local';
import { writeDevSession } from '../../../lib/cli/dev-session.ts';
import { startDashboardFor, type DevDashboard } from '../../../lib/cli/dashboard/dev-dashboard.ts';
import { opsFlowStack } from './ops-flow.ts';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export interface DashboardOnOpsFlow {
  readonly app: LocalApp;
  readonly dashboard: DevDashboard;
  /** Finished runs of a subscription's function whose logs or error mention `text`. */
  runsMentioning(subscription: string, text: string): Promise<InvocationFinishedRecord[]>;
  stop(): Promise<void>;
}

export async function startDashboardOnOpsFlow(): Promise<DashboardOnOpsFlow> {
  const stack = opsFlowStack('000000000000', 'us-east-1', (flow, { sent }) => {
    flow.addSubscription('tally', { topic: sent, handler: 'handlers/tally.ts' });
  });
  const assemblyDir = (stack.node.root as App).synth().directory;
  const stateDir = mkdtempSync(join(tmpdir(), 'busline-dashboard-'));
  const app = await startLocalApp({ assembly: assemblyDir, stateDir, port: 0 });
  writeDevSession({ endpoint: app.engine.endpoint, pid: process.pid, assemblyDir, projectDir: REPO, stateDir, startedAt: new Date().toISOString() });
  const dashboard = await startDashboardFor({ stateDir, port: 0 });
  return {
    app, dashboard,
    async runsMentioning(subscription, text) {
      const fn = app.subscriptions.find((s) => s.name === subscription)!.functionName;
      return (await app.engine.journalQuery({ kinds: ['invocation.finished'] }))
        .filter((r): r is InvocationFinishedRecord => r.kind === 'invocation.finished' && r.functionName === fn)
        .filter((r) => (r.logs ?? []).some((l) => l.includes(text)) || (r.error ?? '').includes(text));
    },
    async stop() {
      await dashboard.stop();
      await app.stop();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(assemblyDir, { recursive: true, force: true });
    },
  };
}

