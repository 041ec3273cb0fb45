/**
 * A tiny EventBridge endpoint on 127.0.0.1 answering PutEvents (AWS JSON 1.1) with every
 * entry accepted, for the cold-start bench: both handlers publish over the wire with the
 * real SDK client, and the bench counts what each one published to check it did its work.
 * Anything else gets an AWS-shaped UnknownOperationException.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface EventsEndpoint {
  readonly endpoint: string;
  /** Entries accepted so far, by DetailType. */
  accepted(detailType: string): number;
  /** PutEvents calls answered so far. */
  calls(): number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

export async function startEventsEndpoint(): Promise<EventsEndpoint> {
  const counts = new Map<string, number>();
  let calls = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        reply(res, 400, { __type: 'UnknownOperationException', message: `this endpoint answers AWSEvents.PutEvents only, got ${String(target)}` });
        return;
      }
      let entries: { DetailType?: string }[];
      try {
        entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: { DetailType?: string }[] }).Entries ?? [];
      } catch {
        reply(res, 400, { __type: 'SerializationException', message: 'request body is not valid JSON' });
        return;
      }
      calls++;
      for (const e of entries) counts.set(e.DetailType ?? '', (counts.get(e.DetailType ?? '') ?? 0) + 1);
      reply(res, 200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accepted: (detailType) => counts.get(detailType) ?? 0,
    calls: () => calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
