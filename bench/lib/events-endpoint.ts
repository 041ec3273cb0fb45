/**
 * A tiny EventBridge endpoint on 127.0.0.1 answering PutEvents (AWS JSON 1.1) with every
 * entry accepted, for the cold-start bench: both handlers publish over the wire with the
 * real SDK client, and the bench counts what each one published to check it did its work.
 * Anything else gets an AWS-shaped UnknownOperationException (bench/lib/put-events-server.ts).
 */
import { startPutEventsServer } from './put-events-server.ts';

export interface EventsEndpoint {
  readonly endpoint: string;
  /** Entries accepted so far, by DetailType. */
  accepted(detailType: string): number;
  /** PutEvents calls answered so far. */
  calls(): number;
  close(): Promise<void>;
}

export async function startEventsEndpoint(): Promise<EventsEndpoint> {
  const counts = new Map<string, number>();
  let calls = 0;
  const server = await startPutEventsServer((entries) => {
    calls++;
    for (const e of entries) counts.set(e.DetailType ?? '', (counts.get(e.DetailType ?? '') ?? 0) + 1);
  });
  return {
    endpoint: server.endpoint,
    accepted: (detailType) => counts.get(detailType) ?? 0,
    calls: () => calls,
    close: () => server.close(),
  };
}
