/**
 * The HTTP side of the bench's own PutEvents endpoints (bench/lib/events-endpoint.ts,
 * bench/lib/floor-endpoint.ts): an AWS JSON 1.1 server on 127.0.0.1 that reads the body,
 * answers anything but AWSEvents.PutEvents with an AWS-shaped UnknownOperationException and
 * a body that is not JSON with a SerializationException, and hands the entries to `accept`;
 * once `accept` resolves, every entry is answered as accepted with a fresh EventId.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A PutEvents entry as the wire carries it (fields the SDK may leave out are optional). */
export interface WireEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
}

export interface PutEventsServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

export async function startPutEventsServer(accept: (entries: readonly WireEntry[]) => void | Promise<void>): Promise<PutEventsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        reply(res, 400, { __type: 'UnknownOperationException', message: `this endpoint answers AWSEvents.PutEvents only, got ${String(target)}` });
        return;
      }
      let entries: WireEntry[];
      try {
        entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: WireEntry[] }).Entries ?? [];
      } catch {
        reply(res, 400, { __type: 'SerializationException', message: 'request body is not valid JSON' });
        return;
      }
      Promise.resolve()
        .then(() => accept(entries))
        .then(
          () => reply(res, 200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) }),
          (error: Error) => reply(res, 500, { __type: 'InternalException', message: error.message }),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
