/**
 * The engine's DynamoDB backend on its own loopback port, for code that needs "DynamoDB over
 * the wire" without a whole engine (benchmarks, tests): dynalite's store plus the engine's
 * transactions. `startLocalDynamoDb()` binds 127.0.0.1 on a free port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDbService } from './dynamodb-service.ts';

export interface LocalDynamoDbOptions {
  /** LevelDB folder (kept across restarts). @default - in memory */
  readonly path?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`, for an SDK client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly service: DynamoDbService;
  /** Closes the port (dropping keep-alive connections) and the store. */
  stop(): Promise<void>;
}

export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const service = DynamoDbService.open(options.path);
  const server = http.createServer((request, response) => service.handle(request, response));
  server.keepAliveTimeout = 65_000;
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
    service,
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await service.close();
      })();
      return stopped;
    },
  };
}
