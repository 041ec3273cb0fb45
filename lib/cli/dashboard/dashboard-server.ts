/**
 * The local dashboard's HTTP server, on 127.0.0.1 only: the MCP endpoint at `/mcp`
 * (streamable HTTP, stateless: a fresh server per request over the same operations), and the
 * page with its JSON API (dashboard-api.ts). No login: it refuses any request whose Host is not
 * this loopback address, and any cross-origin write, so a web page the developer visits cannot
 * reach it through DNS rebinding or a form post. The MCP SDK is loaded at the first `/mcp`
 * request: a `busline dev` start does not wait for it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardContext } from './dashboard-context.ts';

export interface DashboardOptions {
  /** What the MCP tools work on, made when the first MCP request needs it. */
  readonly context: () => Promise<DashboardContext>;
  /** Port on 127.0.0.1; 0 = any free port. */
  readonly port: number;
  /** Handles the page and its API; answers false when the path is not its. */
  readonly page?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

export interface Dashboard {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  stop(): Promise<void>;
}

export const DASHBOARD_HOST = '127.0.0.1';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  let allowedHosts: string[] = [];
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.includes(req.headers.host ?? '')) {
      sendJson(res, 403, { error: `the dashboard answers only on ${allowedHosts[0]} (Host ${req.headers.host ?? '(none)'} refused)` });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) {
      sendJson(res, 403, { error: `cross-origin request from ${origin} refused` });
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/mcp') {
      await mcp(req, res);
      return;
    }
    if (options.page && await options.page(req, res, url)) return;
    sendJson(res, 404, { error: `no ${url.pathname} here: the page is at /, the MCP endpoint at /mcp` });
  }

  async function mcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream to resume, no session to end.
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: POST JSON-RPC messages to /mcp' }, id: null }));
      return;
    }
    const [{ StreamableHTTPServerTransport }, { createMcpServer }, context] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'), import('./mcp-tools.ts'), options.context(),
    ]);
    const mcpServer = createMcpServer(context);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { void transport.close(); void mcpServer.close(); });
    await mcpServer.connect(transport);
    await transport.handleRequest(req, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, DASHBOARD_HOST, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = [`${DASHBOARD_HOST}:${port}`, `localhost:${port}`];
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
