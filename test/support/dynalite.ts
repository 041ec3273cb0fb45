/**
 * Starts the local engine's DynamoDB backend (dynalite's store plus TransactWriteItems,
 * speaking the real wire protocol) on 127.0.0.1 for tests. Pass `path` to keep the data on
 * disk so a server stopped mid-test (a simulated outage) can be started again on the same
 * port with the same items.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalDynamoDb } from '../../lib/local/dynamodb/start-local-dynamodb.ts';

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

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  const local = await startLocalDynamoDb({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  return { endpoint: local.endpoint, port: local.port, stop: () => local.stop() };
}

// dynalite is CommonJS without type declarations; load it through require and give it the one type we use.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

/**
 * dynalite itself, in memory, without the engine's additions: for the few tests that show how
 * the runtime copes with an endpoint that ignores ReturnValuesOnConditionCheckFailure.
 */
export async function startRawDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}
