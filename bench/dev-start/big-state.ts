/**
 * A state folder as a long-used `busline dev` leaves it: one queue holding `messages` messages
 * (sent through the engine, so the store holds them as it would) and a journal of
 * `journalRecords` records (written straight to journal.jsonl in the journal's own line format:
 * sending a million events through the engine would take most of a bench's time budget).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { LocalEngine } from '../../lib/local/engine.ts';
import { JOURNAL_FILE } from '../../lib/local/journal/journal.ts';

export const BIG_STATE_QUEUE = 'BigStateQueue';

export interface BigStateSize {
  readonly messages: number;
  readonly journalRecords: number;
}

/** Declares what the big state folder's engine declares (its one queue). */
export function declareBigStateQueue(engine: { createQueue(name: string, attributes?: Record<string, string>): unknown }): void {
  engine.createQueue(BIG_STATE_QUEUE, { VisibilityTimeout: '30', MessageRetentionPeriod: '1209600' });
}

export async function buildBigState(stateDir: string, size: BigStateSize): Promise<void> {
  const engine = await LocalEngine.start({ stateDir, port: 0, withoutDynamoDb: true, setup: declareBigStateQueue });
  try {
    const body = JSON.stringify({ metadata: { id: '0'.repeat(26), correlationId: '1'.repeat(26) }, data: { text: 'x'.repeat(300) } });
    const inFlight = 1000;
    for (let i = 0; i < size.messages; i += inFlight) {
      const n = Math.min(inFlight, size.messages - i);
      await Promise.all(Array.from({ length: n }, (_, j) => engine.sendMessage(BIG_STATE_QUEUE, { MessageBody: `${body}${i + j}` })));
    }
  } finally {
    await engine.stop();
  }
  await writeJournal(join(stateDir, 'journal', JOURNAL_FILE), size.journalRecords);
}

/** Appends `count` records: per event an event.accepted, a rule.matched and a delivery.enqueued, as routing writes them. */
async function writeJournal(path: string, count: number): Promise<void> {
  const out = createWriteStream(path, { flags: 'a' });
  // Stamped within the last hour: all kept by the journal's retention (7 days), so a start
  // measures recovery, not a retention rewrite of the whole journal.
  const start = Date.now() - 60 * 60 * 1000;
  let chunk = '';
  for (let seq = 1; seq <= count; seq++) {
    const eventId = `evt-${Math.floor(seq / 3)}`;
    const at = new Date(start + seq).toISOString();
    const base = { seq, at, eventId, correlationId: eventId, topic: 'note.sent' };
    const record = seq % 3 === 1
      ? { ...base, kind: 'event.accepted', bus: 'big', source: 'bench.big', event: { id: eventId, 'detail-type': 'note.sent', source: 'bench.big', detail: { data: { text: 'hello' } } } }
      : seq % 3 === 2
        ? { ...base, kind: 'rule.matched', bus: 'big', rule: 'BigRule', targets: ['q'] }
        : { ...base, kind: 'delivery.enqueued', queue: BIG_STATE_QUEUE, messageId: `msg-${seq}`, via: 'rule:big/BigRule/q' };
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
