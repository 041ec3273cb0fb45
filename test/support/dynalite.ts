/**
 * Starts the local engine's DynamoDB backend (dynalite's store plus TransactWriteItems,
 * speaking the real wire protocol) on 127.0.0.1 for tests. Pass `path` to keep the data on
 * disk so a server stopped mid-test (a simulated outage) can be started again on the same
 * port with the same items.
 */
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
