/**
 * Dedupe as a record step of the runtime's per-record pipeline (record-pipeline.ts),
 * placed after schema validation and before the user handler:
 *
 *   before   key → coordinator.begin: duplicate → skipRecord (the record succeeds, counted
 *            as Duplicate); in progress elsewhere → deferRecord until the holder's lock
 *            lapses (not an attempt); store down → retryRecord with the usual backoff; a
 *            keyPath missing from data → rejectRecord (retrying cannot fix it: DLQ with
 *            reason); the record is PUBLISHING (an earlier attempt committed its writes but did
 *            not confirm its events sent) → send the parked events, COMPLETED, skipRecord:
 *            the handler does not run again
 *   after    handler succeeded → with declared writes and events: lease.park(writes, events)
 *            commits the writes and parks the events in the dedupe record (PUBLISHING) in one
 *            transaction, then the events are sent (ids derived from the dedupe key), then
 *            COMPLETED; with writes only: writes and COMPLETED in one transaction; with events
 *            only: sent, then COMPLETED. No event is sent before the writes commit. A commit
 *            that fails releases the lock and fails the record with nothing applied; a send that
 *            fails after the commit keeps the parked record (its lock lapses now), so the retry
 *            sends the same events without running the handler
 *   onError  handler or a later step failed → lease.fail() (lock released for the retry),
 *            except after the timeout guard aborted the handler → lease.abandon() (its
 *            promise may still run: the lock stays until the deadline)
 *   settle   a lease still open (should not happen) is abandoned, so no later record of
 *            this container waits on it
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { TimeoutGuardError, toError } from '../errors.ts';
import { deferRecord, rejectRecord, retryRecord, skipRecord, type RecordContext, type RecordStep, type RecordVerdict } from '../record-pipeline.ts';
import { DedupeCoordinator, DedupeInProgressError, duplicateMessage, type DedupeLease } from './dedupe-coordinator.ts';
import { DedupeKeyError, eventIdKey, type DedupeKeyFn } from './dedupe-key.ts';
import { DedupeStoreError } from './dedupe-store.ts';
import { parkEvents, type EffectsRuntime, type PendingPublish } from '../effects/record-effects.ts';
import type { PublishInput } from '../publisher.ts';
import { deferredRecordLogger } from '../decoded-record.ts';
import { RecordSlot } from '../record-slot.ts';

export interface DedupeStepOptions {
  readonly subscription: string;
  /** The record's key. @default eventIdKey(subscription): metadata.id, else the EventBridge id (a keyPath: dedupe-key-path.ts) */
  readonly key?: DedupeKeyFn;
  readonly coordinator: DedupeCoordinator;
  /** The handler's declared effects (ctx.write, ctx.publish), applied on success. @default - none */
  readonly effects?: EffectsRuntime;
}

/**
 * Delay for a record turned away by a live lock: come back just after the lock lapses.
 * Backoff's short first delays would spend the record's attempts against a lock a crashed
 * container holds until its deadline, and send it to the DLQ before it could ever run;
 * if the holder succeeds sooner, the later retry is a duplicate and is simply skipped.
 */
function secondsUntil(epochMs: number): number {
  return Math.max(1, Math.ceil((epochMs - Date.now()) / 1000) + 1);
}

/**
 * Lambda's longest timeout (15 min): the lock expiry when a hand-driven invocation has no
 * deadline. A literal, which esbuild drops from a bundle that does not use it.
 */
const MAX_LAMBDA_TIMEOUT_MS = 900_000;

export function dedupeStep(options: DedupeStepOptions): RecordStep {
  const keyOf = options.key ?? eventIdKey(options.subscription);
  const { coordinator, effects } = options;
  const leases = new RecordSlot<DedupeLease>();

  /** An earlier attempt's writes are committed: send its parked events (same ids), then COMPLETED. */
  const sendParked = async (lease: DedupeLease, parked: string): Promise<RecordVerdict> => {
    try {
      await effects!.send(JSON.parse(parked) as PublishInput[]);
    } catch (error) {
      await lease.fail();
      return retryRecord(toError(error));
    }
    await lease.succeed();
    return skipRecord(`writes committed by an earlier attempt; its parked events are sent now (dedupe key ${lease.key})`);
  };

  /** The record's events: sealed, parked with its writes when it declared some, sent, then COMPLETED. */
  const commitAndSend = async (record: RecordContext, lease: DedupeLease, publishes: readonly PendingPublish[], writes: readonly TransactWriteItem[]): Promise<void> => {
    let events: PublishInput[];
    let parked: string | undefined;
    try {
      // Sealed now: the parked events hold the encrypted fields' envelopes, and every send of
      // them (this one, or a later attempt's) puts those same bytes on the wire.
      events = await effects!.prepare(record, lease.key, publishes);
      if (writes.length > 0) parked = parkEvents(events);
    } catch (error) {
      await lease.fail();
      throw error;
    }
    if (parked !== undefined) {
      // The writes commit with the events parked beside them; only then are the events sent.
      // A crash after this commit leaves the record PUBLISHING: the redelivery sends them.
      await lease.park(writes, parked);
    }
    try {
      await effects!.send(events);
    } catch (error) {
      await lease.fail();
      throw error;
    }
    await lease.succeed();
  };

  return {
    name: 'dedupe',
    async before(record) {
      let key: string;
      try {
        key = keyOf({ metadataId: record.metadata.id, eventBridgeId: record.eventBridgeId, data: record.data });
      } catch (error) {
        if (error instanceof DedupeKeyError) return rejectRecord(error);
        throw error;
      }
      const remainingMs = record.deadline.remainingMs();
      const deadlineMs = Date.now() + (Number.isFinite(remainingMs) ? Math.max(0, remainingMs) : MAX_LAMBDA_TIMEOUT_MS);
      try {
        const begun = await coordinator.begin(key, { deadlineMs, logger: deferredRecordLogger(record) });
        if (begun.outcome === 'duplicate') {
          return skipRecord(`${duplicateMessage(begun)} (dedupe key ${begun.key}, seen by ${begun.seenBy})`);
        }
        if (begun.parkedEvents !== undefined) return sendParked(begun.lease, begun.parkedEvents);
        leases.set(record, begun.lease);
        return undefined;
      } catch (error) {
        if (error instanceof DedupeInProgressError) return deferRecord(error, secondsUntil(error.lockExpiresAtMs));
        if (error instanceof DedupeStoreError) return retryRecord(error);
        throw error;
      }
    },
    // Not async: a record with no events (most) hands back the lease's promise itself, with no
    // async frame of its own around it.
    after(record) {
      const lease = leases.get(record);
      if (!lease) return;
      const declared = effects?.registry.take(record);
      if (!declared || declared.publishes.length === 0) return lease.succeed(declared && declared.writes.length > 0 ? declared.writes : undefined);
      return commitAndSend(record, lease, declared.publishes, declared.writes);
    },
    async onError(record, failure) {
      const lease = leases.get(record);
      if (!lease) return;
      if (failure.error instanceof TimeoutGuardError) lease.abandon();
      else await lease.fail();
    },
    settle(record) {
      const lease = leases.get(record);
      if (lease && !lease.settled) {
        record.logger.warn('dedupe: a lease was left open by the pipeline; abandoning it (the lock lapses at the deadline)', {
          dedupeKey: lease.key,
        });
        lease.abandon();
      }
      leases.delete(record);
    },
  };
}
