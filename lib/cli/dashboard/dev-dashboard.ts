/**
 * The dashboard of a running `busline dev`: opened on its state folder's session (the local
 * flow target, the engine's journal file, subscription names for physical ones). Its port is
 * bound at once; what answers on it (the page, its API over the AWS SDK, the MCP tools) is loaded
 * at the first request or by `load()`, which `busline dev` calls once it is ready: the engine
 * serves without waiting for the dashboard's modules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readDevSession } from '../dev-session.ts';
import { loadFlowContext } from '../flow-context.ts';
import { journalFileView, journalPath } from '../journal-file.ts';
import type { DashboardContext } from './dashboard-context.ts';
import { startDashboard, type Dashboard } from './dashboard-server.ts';

export interface DevDashboardOptions {
  readonly stateDir: string;
  /** Port on 127.0.0.1; 0 = any free port. */
  readonly port: number;
}

export interface DevDashboard extends Dashboard {
  /** The MCP endpoint: <url>mcp */
  readonly mcpUrl: string;
  /** Loads the page, its API and what the MCP tools work on now rather than at the first request; rejects with what failed (a request then tries again). */
  load(): Promise<void>;
}

type PageHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

interface Loaded {
  readonly context: DashboardContext;
  readonly page: PageHandler;
}

async function loadDashboard(stateDir: string): Promise<Loaded> {
  const [{ openLocalTarget }, { dashboardApi }, { pageAssets }] = await Promise.all([
    import('../local-flow-target.ts'), import('./dashboard-api.ts'), import('./page-assets.ts'),
  ]);
  const session = readDevSession(stateDir);
  const target = await openLocalTarget({ stateDir });
  const { label } = loadFlowContext(session.assemblyDir);
  const context: DashboardContext = { target, journal: journalFileView(journalPath(session.stateDir), label) };
  const api = dashboardApi(context);
  const assets = pageAssets();
  return { context, page: async (req, res, url) => await api(req, res, url) || assets(req, res, url) };
}

export async function startDashboardFor(options: DevDashboardOptions): Promise<DevDashboard> {
  let loading: Promise<Loaded> | undefined;
  // A failed load is not kept: the next request tries again.
  const loaded = (): Promise<Loaded> => (loading ??= loadDashboard(options.stateDir).catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
  const dashboard = await startDashboard({
    port: options.port,
    context: async () => (await loaded()).context,
    page: async (req, res, url) => (await loaded()).page(req, res, url),
  });
  return { ...dashboard, mcpUrl: `${dashboard.url}mcp`, load: async () => { await loaded(); } };
}
