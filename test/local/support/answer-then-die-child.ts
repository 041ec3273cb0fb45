/**
 * Runs a LocalEngine in its own process, performs one action through the engine's API, writes
 * what the engine answered as JSON to `answerPath` and then kills its own process with
 * SIGKILL in the same turn of the event loop: the worst moment for a crash, right after an
 * answer (nothing the engine left for "later" gets to run).
 *
 *   node --import tsx test/local/support/answer-then-die-child.ts '<AnswerThenDieConfig JSON>'
 */
import { writeFileSync } from 'node:fs';
import { LocalEngine } from '../../../lib/local/engine.ts';
import { declare, type EngineDeclarations } from './engine-declarations.ts';

export type ChildAction =
  | { readonly kind: 'send'; readonly queue: string; readonly bodies: readonly string[] }
  | { readonly kind: 'receive'; readonly queue: string; readonly max: number }
  | { readonly kind: 'peek'; readonly queues: readonly string[] }
  | { readonly kind: 'publish'; readonly bus: string; readonly count: number }
  | { readonly kind: 'replay'; readonly bus: string; readonly replayName: string };

export interface AnswerThenDieConfig extends EngineDeclarations {
  readonly stateDir: string;
  /** Where the answer is written (JSON) before the child kills itself. */
  readonly answerPath: string;
  readonly compactLogAfterBytes?: number;
  readonly action: ChildAction;
}

const config = JSON.parse(process.argv[2] ?? '{}') as AnswerThenDieConfig;
const engine = await LocalEngine.start({
  stateDir: config.stateDir,
  withoutDynamoDb: true,
  ...(config.compactLogAfterBytes !== undefined && { compactLogAfterBytes: config.compactLogAfterBytes }),
  setup: (e) => declare(e, config),
});

async function perform(action: ChildAction): Promise<unknown> {
  switch (action.kind) {
    case 'send': {
      const ids: string[] = [];
      for (const body of action.bodies) ids.push((await engine.sendMessage(action.queue, { MessageBody: body })).MessageId);
      return { ids };
    }
    case 'receive': {
      const messages = await engine.receiveMessages(action.queue, { maxNumberOfMessages: action.max, waitTimeSeconds: 0 });
      return { messages: messages.map((m) => ({ id: m.MessageId, receiveCount: Number(m.Attributes['ApproximateReceiveCount']) })) };
    }
    case 'peek': {
      const out: Record<string, unknown> = {};
      for (const queue of action.queues) {
        out[queue] = engine.peekMessages(queue, 100_000).map((m) => ({ id: m.MessageId, body: m.Body, receiveCount: Number(m.Attributes['ApproximateReceiveCount']) }));
      }
      return out;
    }
    case 'publish': {
      let accepted = 0;
      for (let i = 0; i < action.count; i += 10) {
        const entries = Array.from({ length: Math.min(10, action.count - i) }, (_, j) => ({
          EventBusName: action.bus, Source: 'test.replay', DetailType: 'Thing', Detail: JSON.stringify({ metadata: { id: `e-${i + j}` }, data: { n: i + j, pad: 'x'.repeat(200) } }),
        }));
        accepted += (await engine.putEvents(entries)).Entries.filter((e) => e.EventId).length;
      }
      return { accepted };
    }
    case 'replay': {
      const result = await engine.replay({ busName: action.bus, from: new Date(0), to: new Date(Date.now() + 60_000), replayName: action.replayName });
      return { eventCount: result.eventCount };
    }
  }
}

const answer = await perform(config.action);
// Synchronous: the answer must be out although the process dies in this very turn.
writeFileSync(config.answerPath, JSON.stringify(answer));
process.kill(process.pid, 'SIGKILL');
