/**
 * The record step that applies a handler's declared effects when dedupe is off (with dedupe
 * on, the dedupe step does it together with its COMPLETED mark): on success, the events are
 * sent (ids derived from `<subscription>#<event id>`), then the DynamoDB writes are committed
 * in one TransactWriteItems. A failure fails the record (retried), and nothing of the writes
 * was applied.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordStep } from '../record-pipeline.ts';
import type { EffectsRuntime } from './record-effects.ts';
import { EffectsCanceledError, transactWrite } from './transact-write.ts';

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
      if (declared.publishes.length > 0) {
        await effects.sendPublishes(record, `${record.subscription}#${record.eventId}`, declared.publishes);
      }
      if (declared.writes.length === 0) return;
      const outcome = await transactWrite(await options.client(), declared.writes);
      if (!outcome.committed) throw new EffectsCanceledError(outcome.reasons);
    },
  };
}
