/**
 * Starts dynalite (an in-process DynamoDB speaking the real wire protocol) on
 * 127.0.0.1 for tests. Pass `path` to keep the data on disk so a server stopped
 * mid-test (a simulated outage) can be started again on the same port with the
 * same items.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynaliteOptions {
  /** Port to bind; default 0 (a free port). Pass a previous server's port to restart it in place. */
  readonly port?: number;
  /** LevelDB directory; default in memory (data is lost on stop). */
  readonly path?: string;
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Closes the server, dropping open keep-alive connections so the close does not wait for clients. */
  stop(): Promise<void>;
}

type DynaliteFactory = (options: { createTableMs: number; path?: string }) => Server;

// dynalite is CommonJS without type declarations; load it through require and give it the one type we use.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, ...(options.path === undefined ? {} : { path: options.path }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
