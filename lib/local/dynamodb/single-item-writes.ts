/**
 * PutItem, UpdateItem and DeleteItem with ReturnValuesOnConditionCheckFailure, which dynalite
 * ignores: with ALL_OLD, a failed condition answers ConditionalCheckFailedException carrying the
 * item as it was (AWS's one-call conflict read, which Busline's dedupe lock relies on). The
 * action is dynalite's own; only its item read is observed, under the lock the action holds.
 */
import { dynaliteActions, type DynaliteError, type DynaliteItem, type DynaliteStore, type ItemDb } from './dynalite-modules.ts';
import { errorName, replyOf, validationException, type WireReply } from './errors.ts';

export const SINGLE_ITEM_WRITES: ReadonlySet<string> = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** The request's ReturnValuesOnConditionCheckFailure, or a ValidationException reply for a bad value. */
export function returnOldOnFailure(input: unknown): boolean | WireReply {
  const value = (input as Record<string, unknown> | null)?.['ReturnValuesOnConditionCheckFailure'];
  if (value === undefined || value === null || value === 'NONE') return false;
  if (value === 'ALL_OLD') return true;
  return validationException(
    `1 validation error detected: Value '${String(value)}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
  );
}

/** Runs a validated single-item write; a failed condition's error carries the old item. */
export function writeReturningOldOnFailure(store: DynaliteStore, operation: string, data: Record<string, unknown>): Promise<WireReply> {
  let read: DynaliteItem | undefined;
  const observed: DynaliteStore = Object.create(store, {
    getItemDb: {
      value(table: string): ItemDb {
        const real = store.getItemDb(table);
        return {
          get: (key, cb) => real.get(key, (error, item) => {
            read = item ?? undefined;
            cb(error, item);
          }),
          put: (key, value, cb) => real.put(key, value, cb),
          del: (key, cb) => real.del(key, cb),
          lock: (key, exec) => real.lock(key, exec),
        };
      },
    },
  }) as DynaliteStore;
  return new Promise((resolve) => {
    dynaliteActions[operation]!(observed, data, (error, result) => {
      if (!error) return resolve({ status: 200, body: result ?? {} });
      const reply = replyOf(error as DynaliteError);
      const withItem = errorName(error) === 'ConditionalCheckFailedException' && read;
      resolve(withItem ? { status: reply.status, body: { ...reply.body, Item: read } } : reply);
    });
  });
}
