/**
 * The parse-and-fsync floor of the routing bench: a PutEvents endpoint that does only what no
 * event store can skip. It parses each request and each entry's Detail (as the engine does),
 * appends one JSON line per event to a file with the engine's own group commit
 * (lib/local/store/append-file.ts: one write + fdatasync covers every event that arrived
 * meanwhile) and answers once its events are on disk. No rules, no queues, no journal: the
 * engine's routing throughput divided by this one's says how close the engine is to the
 * limit of the machine it runs on.
 */
import { AppendFile } from '../../lib/local/store/append-file.ts';
import { startPutEventsServer, type WireEntry } from './put-events-server.ts';

export interface FloorEndpoint {
  readonly endpoint: string;
  /** Events written and fsynced so far. */
  written(): number;
  close(): Promise<void>;
}

/** The line the floor writes for an entry: its fields around the Detail text, as parsed. */
function line(entry: WireEntry): string {
  const detail: unknown = JSON.parse(entry.Detail ?? '');
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('Detail is malformed: it must be a JSON object.');
  return `{"source":${JSON.stringify(entry.Source ?? '')},"detail-type":${JSON.stringify(entry.DetailType ?? '')},"detail":${entry.Detail}}`;
}

export async function startFloorEndpoint(file: string): Promise<FloorEndpoint> {
  const out = await AppendFile.open(file);
  let written = 0;
  const server = await startPutEventsServer(async (entries) => {
    for (const entry of entries) out.appendRawLazy(line(entry));
    await out.flush();
    written += entries.length;
  });
  return {
    endpoint: server.endpoint,
    written: () => written,
    async close() {
      await server.close();
      await out.close();
    },
  };
}
