/**
 * A handler's declared effects: DynamoDB writes (`ctx.write`) and events (`ctx.publish`),
 * collected while the handler runs and applied by the runtime only after it succeeded: the
 * writes first, in ONE TransactWriteItems with the dedupe record (which parks the events in it),
 * then the events, so that no event is seen downstream for writes that did not commit
 * (docs/dedupe.md, "Transactional effects").
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { RecordContext } from '../record-pipeline.ts';
import type { PublishInput } from '../publisher.ts';
import { NonRetryableError } from '../errors.ts';

/** TransactWriteItems takes 100 actions; one is the dedupe record's COMPLETED mark. */
export const MAX_EFFECT_WRITES = 99;

const WRITE_KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;

export interface PendingPublish {
  readonly topic: string;
  readonly data: unknown;
}

/** A write that can never be committed (bad shape, too many writes): retrying cannot help. */
export class EffectsWriteError extends NonRetryableError {
  override readonly name = 'EffectsWriteError';
}

/** The effects one record's handler declared. */
export class RecordEffects {
  readonly writes: TransactWriteItem[] = [];
  readonly publishes: PendingPublish[] = [];

  addWrites(items: readonly TransactWriteItem[]): void {
    for (const item of items) {
      const kinds = WRITE_KINDS.filter((k) => typeof item === 'object' && item !== null && item[k] !== undefined);
      if (kinds.length !== 1) {
        throw new EffectsWriteError(
          `ctx.write: each write is a TransactWriteItem with exactly one of Put, Update, Delete or ConditionCheck, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
        );
      }
    }
    if (this.writes.length + items.length > MAX_EFFECT_WRITES) {
      throw new EffectsWriteError(
        `ctx.write: at most ${MAX_EFFECT_WRITES} writes per record (a DynamoDB transaction takes 100 actions, one is the dedupe mark), ` +
          `got ${this.writes.length + items.length}: split the work into several events`,
      );
    }
    this.writes.push(...items);
  }
}

/** Each record's effects, while the record is in the pipeline. */
export class EffectsRegistry {
  readonly #byRecord = new WeakMap<RecordContext, RecordEffects>();

  for(record: RecordContext): RecordEffects {
    let effects = this.#byRecord.get(record);
    if (!effects) {
      effects = new RecordEffects();
      this.#byRecord.set(record, effects);
    }
    return effects;
  }

  /** Removes and returns the record's effects (undefined when it declared none). */
  take(record: RecordContext): RecordEffects | undefined {
    const effects = this.#byRecord.get(record);
    this.#byRecord.delete(record);
    return effects;
  }
}

/**
 * The events of a run that also declares writes wait in its dedupe record until they are sent
 * (the outbox); a DynamoDB item holds 400 KB, the rest of the record included.
 */
export const MAX_PARKED_EVENTS_BYTES = 350 * 1024;

/** The events a run parks in its dedupe record (as prepared: encrypted fields sealed), as one string attribute. */
export function parkEvents(events: readonly PublishInput[]): string {
  const parked = JSON.stringify(events);
  const bytes = Buffer.byteLength(parked, 'utf8');
  if (bytes > MAX_PARKED_EVENTS_BYTES) {
    throw new EffectsWriteError(
      `ctx.publish: the events of a run that also declares writes wait in the dedupe record until sent, at most ${MAX_PARKED_EVENTS_BYTES} bytes in all; ` +
        `these take ${bytes}: publish less per event, or split the work into several events`,
    );
  }
  return parked;
}

/** What the commit steps need from the wrapper: the registry and how to make and send a record's events. */
export interface EffectsRuntime {
  readonly registry: EffectsRegistry;
  /**
   * The record's events as they go on the wire, with ids derived from `idBase` (same base → same
   * ids on a re-run): validated, their `"x-busline-pii": "encrypt"` fields sealed, so that parked
   * events hold no plaintext of those fields.
   */
  prepare(record: RecordContext, idBase: string, publishes: readonly PendingPublish[]): Promise<PublishInput[]>;
  /** Sends prepared events as they are (also events parked by an earlier attempt): no second validation or encryption. */
  send(events: readonly PublishInput[]): Promise<void>;
}
