/**
 * DynamoDB for the engine: dynalite (npm, a DynamoDB implementation on LevelDB) runs
 * in-process with its data in `<stateDir>/dynamodb`, so tables survive restarts. The wire
 * endpoint hands `DynamoDB_20120810.*` requests to dynalite's request handler unchanged
 * (dynalite speaks the same JSON 1.0 protocol and error shapes); dynalite also listens on
 * its own loopback port, used for the engine's own calls (CreateTable from the template).
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: DynaliteOptions) => http.Server;

interface LevelPrototype {
  _get(key: unknown, options: unknown): Promise<unknown>;
  _getSync?(key: unknown, options: unknown): unknown;
}

/**
 * dynalite's LevelDB (classic-level) answers reads on libuv's thread pool: every get is two
 * thread hand-offs (queue the work, wake the loop for the result), and dynalite does two
 * gets per write (the table's definition, then the item). A LevelDB get is a memtable or
 * block-cache lookup of microseconds, so the hand-offs cost more than the read, and on a
 * busy machine each one can cost the engine's event loop its core. classic-level also
 * offers a synchronous get: serve dynalite's reads with it. Writes stay asynchronous.
 */
function readLevelDbSynchronously(): void {
  const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: { prototype: LevelPrototype } };
  const proto = Level.prototype;
  const getSync = proto._getSync;
  if (typeof getSync !== 'function' || Object.hasOwn(proto, SYNC_READS)) return;
  Object.defineProperty(proto, SYNC_READS, { value: true });
  proto._get = function (this: LevelPrototype, key: unknown, options: unknown): Promise<unknown> {
    try {
      return Promise.resolve(getSync.call(this, key, options));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
const SYNC_READS = Symbol.for('busline.levelSyncReads');

type RequestListener = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export class DynamoDbBackend {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** dynalite's own request handler: requests are handed to it directly, not proxied over a socket. */
  private readonly listener: RequestListener;

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {
    this.listener = server.listeners('request')[0] as RequestListener;
  }

  /** Start dynalite with its LevelDB in `path` (in memory when undefined). */
  static async start(path: string | undefined): Promise<DynamoDbBackend> {
    readLevelDbSynchronously();
    const server = dynalite({ ...(path && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new DynamoDbBackend(server, (server.address() as AddressInfo).port);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Serve one request whose body has not been read yet: dynalite's handler reads it and
   * answers on the same response, saving a loopback round trip per DynamoDB call.
   */
  handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.listener(request, response);
  }

  /** Call a DynamoDB action directly (used for CreateTable from the template). */
  async call(action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const payload = Buffer.from(JSON.stringify(input));
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: '/',
          agent: this.agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${action}`,
            'content-length': String(payload.length),
            // dynalite checks that a request is signed, not the signature itself.
            authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
            'x-amz-date': '20200101T000000Z',
          },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: answer.statusCode ?? 500, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
          });
          answer.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
