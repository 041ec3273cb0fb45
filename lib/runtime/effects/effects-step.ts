/**
 * The record step that applies a handler's declared effects when dedupe is off (with dedupe
 * on, the dedupe step does it together with its dedupe record): on success, the DynamoDB writes
 * are committed in one TransactWriteItems, then the events are sent (ids derived from
 * `<subscription>#<event id>`). A failed commit fails the record with nothing applied and nothing
 * published. A failed send after the commit fails the record too: without dedupe its retry runs
 * the handler again and commits its writes again (at least once), then sends the same ids.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordStep } from '../record-pipeline.ts';
import type { EffectsRuntime } from './record-effects.ts';
import { EffectsCanceledError, transactWrite } from './transact-write.ts';
import type { CommitStepOf } from '../wrap-handler.ts';

export interface EffectsStepOptions {
  readonly effects: EffectsRuntime;
  /** The client the writes are committed with. */
  readonly client: () => Promise<DynamoDBClient>;
}

export function effectsStep(options: EffectsStepOptions): RecordStep {
  const { effects } = options;
  return {
    name: 'effects',
    async after(record) {
      const declared = effects.registry.take(record);
      if (!declared) return;
      if (declared.writes.length > 0) {
        const outcome = await transactWrite(await options.client(), declared.writes);
        if (!outcome.committed) throw new EffectsCanceledError(outcome.reasons);
      }
      if (declared.publishes.length > 0) {
        await effects.send(await effects.prepare(record, `${record.subscription}#${record.eventId}`, declared.publishes));
      }
    },
  };
}

/** The commit step of a generated entry (lib/constructs/bundler.ts) whose subscription has dedupe off. */
export const generatedEffectsStep: CommitStepOf = (_where, _config, effects, client) => effectsStep({ effects, client });
