/**
 * The batch loop: middy's handler. Runs the record pipeline (record-pipeline.ts) for each record
 * in order and stores one outcome per record in the invocation state; the invocation-level
 * middlewares (DLQ, backoff, partial batch, metrics) act on those outcomes afterwards.
 *
 * Two rules stop the loop early; every record after the stop is `not-attempted` (failed,
 * untouched, redelivered later):
 *   - timeout guard: the deadline is within the margin before a record starts, or the guard
 *     aborted the running handler;
 *   - ordered delivery (FIFO): a record failed and will be retried, so later records of the
 *     batch must wait for it, or order per key breaks.
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { EventMetadata } from './envelope.ts';
import type { HandlerContext, UserHandler } from './handler-types.ts';
import type { SubscriptionConfig } from './subscription-config.ts';
import { TimeoutGuardError, toError } from './errors.ts';
import type { InvocationState, RecordResult } from './invocation.ts';
import type { JsonLogger } from './logger.ts';
import { decodeRecord, type InboundRecord } from './middleware/envelope.ts';
import { deadlineRace, type DeadlineRace } from './middleware/timeout-guard.ts';
import { runRecordPipeline, type Deadline, type RecordContext, type RecordOutcome, type RecordStep, type RecordTimings } from './record-pipeline.ts';

export interface BatchProcessorOptions {
  readonly config: SubscriptionConfig;
  readonly steps: readonly RecordStep[];
  readonly userHandler: UserHandler<unknown>;
  readonly logger: JsonLogger;
  /** Topics with a schema: their events must carry the envelope. */
  readonly flowTopics: ReadonlySet<string>;
  readonly publish: (record: RecordContext, topic: string, data: unknown) => Promise<void>;
  /** ctx.write: declares the record's DynamoDB writes (committed by the dedupe or effects step). */
  readonly write: (record: RecordContext, items: readonly TransactWriteItem[]) => void;
  /**
   * Ordered delivery only: sends a dead-lettered record to the DLQ before the next record runs.
   * If that send fails the record becomes a retry and the batch stops there; sending after the
   * loop would let later records of the same key run before a record that is then redelivered.
   */
  readonly sendDeadLetterNow?: (result: RecordResult) => Promise<void>;
}

const NO_DEADLINE: Deadline = { remainingMs: () => Infinity, remainingBeforeGuardMs: () => Infinity, signal: new AbortController().signal };

export function createBatchProcessor(options: BatchProcessorOptions): (state: InvocationState) => Promise<void> {
  const { config, steps, userHandler, logger, flowTopics } = options;

  const runHandler = (record: RecordContext, race: DeadlineRace): Promise<void> => {
    const ctx: HandlerContext = {
      publish: (topic, data) => options.publish(record, topic, data),
      write: (...items) => options.write(record, items),
      logger: record.logger,
      signal: record.deadline.signal,
      event: {
        id: record.eventId,
        topic: record.topic,
        source: record.event.source,
        time: record.event.time,
        correlationId: record.correlationId,
        ...(record.metadata.causationId ? { causationId: record.metadata.causationId } : {}),
        attempt: record.attempt,
      },
    };
    let work: Promise<void>;
    try {
      work = Promise.resolve(userHandler(record.data, ctx));
    } catch (thrown) {
      work = Promise.reject(toError(thrown));
    }
    return race.run(work, () => new TimeoutGuardError(`the handler was still running ${Math.max(0, Math.round(record.deadline.remainingMs()))} ms before the Lambda timeout: the record is retried`));
  };

  return async function processBatch(state: InvocationState): Promise<void> {
    const deadline = state.deadline ?? NO_DEADLINE;
    const ordered = config.delivery === 'ordered';
    let stop: 'timeout' | 'ordered-after-failure' | undefined;
    // One abort listener for the batch's handlers, not one per record.
    const race = deadlineRace(deadline.signal);
    const handler = (record: RecordContext): Promise<void> => runHandler(record, race);
    try {
      for (const inbound of state.records) {
        if (!stop && (deadline.signal.aborted || deadline.remainingBeforeGuardMs() <= 0)) stop = 'timeout';
        if (stop) {
          state.results.push({ inbound, outcome: { kind: 'not-attempted', reason: stop }, timings: {} });
          continue;
        }
        const result = await processRecord(inbound, deadline, handler);
        state.results.push(result);
        if (ordered && result.outcome.kind === 'dead-letter' && options.sendDeadLetterNow) await options.sendDeadLetterNow(result);
        const o = result.outcome;
        if (o.kind === 'retry' && o.error instanceof TimeoutGuardError) stop = 'timeout';
        // A dead-lettered record (already in the DLQ, see sendDeadLetterNow) leaves the queue for
        // good, so later records may proceed; only a record that will be redelivered must hold
        // back the rest of an ordered batch.
        else if (ordered && o.kind === 'retry') stop = 'ordered-after-failure';
      }
    } finally {
      race.dispose();
    }
  };

  async function processRecord(inbound: InboundRecord, deadline: Deadline, handler: (record: RecordContext) => Promise<void>): Promise<RecordResult> {
    const timings: RecordTimings = {};
    const decoded = decodeRecord(inbound, flowTopics);
    const attempt = inbound.kind === 'sqs' ? inbound.receiveCount : 1;
    if (!decoded.ok) {
      logger.error('record dead-lettered', {
        outcome: 'dead-letter',
        reason: 'malformed',
        messageId: inbound.kind === 'sqs' ? inbound.messageId : undefined,
        attempt,
        error: decoded.error,
      });
      const outcome: RecordOutcome = { kind: 'dead-letter', error: decoded.error, reason: 'malformed' };
      return { inbound, outcome, timings };
    }
    const d = decoded.decoded;
    const record: RecordContext = {
      subscription: config.subscription,
      flow: config.flow,
      delivery: config.delivery,
      topic: d.topic,
      eventId: d.eventId,
      eventBridgeId: d.event.id,
      event: d.event,
      enveloped: d.enveloped,
      metadata: d.metadata as EventMetadata,
      data: d.data,
      correlationId: d.correlationId,
      attempt,
      ...(inbound.kind === 'sqs' ? { messageId: inbound.messageId } : {}),
      deadline,
      logger: logger.child({ topic: d.topic, eventId: d.eventId, correlationId: d.correlationId, attempt }),
    };
    const outcome = await runRecordPipeline(record, steps, handler, timings);
    return { inbound, outcome, record, timings };
  }
}
