/**
 * The dashboard of a running `busline dev`: opened on its state folder's session (the local
 * flow target, the engine's journal file, subscription names for physical ones).
 */
import { readDevSession } from '../dev-session.ts';
import { loadFlowContext } from '../flow-context.ts';
import { journalFileView, journalPath } from '../journal-file.ts';
import { openLocalTarget } from '../local-flow-target.ts';
import type { DashboardContext } from './dashboard-context.ts';
import { startDashboard, type Dashboard } from './dashboard-server.ts';
import { dashboardApi } from './dashboard-api.ts';
import { pageAssets } from './page-assets.ts';

export interface DevDashboardOptions {
  readonly stateDir: string;
  /** Port on 127.0.0.1; 0 = any free port. */
  readonly port: number;
}

export interface DevDashboard extends Dashboard {
  readonly context: DashboardContext;
  /** The MCP endpoint: <url>mcp */
  readonly mcpUrl: string;
}

export async function startDashboardFor(options: DevDashboardOptions): Promise<DevDashboard> {
  const session = readDevSession(options.stateDir);
  const target = await openLocalTarget({ stateDir: options.stateDir });
  const { label } = loadFlowContext(session.assemblyDir);
  const context: DashboardContext = { target, journal: journalFileView(journalPath(session.stateDir), label) };
  const api = dashboardApi(context);
  const assets = pageAssets();
  const dashboard = await startDashboard({ context, port: options.port, page: async (req, res, url) => await api(req, res, url) || assets(req, res, url) });
  return { ...dashboard, context, mcpUrl: `${dashboard.url}mcp` };
}
