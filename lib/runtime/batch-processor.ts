/**
 * The batch loop: middy's handler. Runs the record pipeline (record-pipeline.ts) for each record
 * and stores one outcome per record, in batch order, in the invocation state; the
 * invocation-level middlewares (DLQ, backoff, partial batch, metrics) act on those outcomes
 * afterwards.
 *
 * Order of work:
 *   - queue (standard SQS) delivery: up to `concurrency` records run at once (records are
 *     started in batch order as others finish). A standard queue promises no order, and the
 *     records of a batch wait mostly on I/O (dedupe lock, the handler's calls, publishes), so a
 *     batch takes about as long as its slowest records instead of the sum of all.
 *   - ordered (FIFO) delivery: one record after another, strictly in batch order (SQS gives a
 *     FIFO batch's records in order per message group; running them sequentially keeps it).
 *   - concurrency 1: one after another, for handlers that are not safe to overlap.
 *
 * Two rules stop the loop early; every record not started by then is `not-attempted` (failed,
 * untouched, redelivered later, and not counted as an attempt: attempts/attempt-limit.ts):
 *   - timeout guard: the deadline is within the margin before a record starts, or the guard
 *     aborted a running handler (every handler running then is aborted: each of those records
 *     fails with TimeoutGuardError);
 *   - ordered delivery (FIFO): a record failed and will be retried, so later records of the
 *     batch must wait for it, or order per key breaks.
 * Every per-record rule is the same whichever the order: each record has its own pipeline
 * (validation, dedupe lock and completion, outcome); two records of one batch with the same
 * dedupe key do not race (the dedupe coordinator makes the later wait for the earlier's outcome).
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { HandlerContext, HandlerEventInfo, HandlerLambdaContext, UserHandler } from './handler-types.ts';
import { encryptPathsOf, type SubscriptionConfig } from './subscription-config.ts';
import { isNonRetryable, TimeoutGuardError, toError } from './errors.ts';
import type { InvocationState, RecordResult } from './invocation.ts';
import type { JsonLogger } from './logger.ts';
import { decodeRecord, type InboundRecord } from './middleware/envelope.ts';
import { deadlineExpired, deadlineRace, type DeadlineRace } from './middleware/timeout-guard.ts';
import { runRecordPipeline, type Deadline, type RecordContext, type RecordOutcome, type RecordStep, type RecordTimings } from './record-pipeline.ts';
import type { PiiMaskOf } from './pii-values.ts';
import type { OpenedData } from './pii-crypto.ts';
import { DecodedRecord } from './decoded-record.ts';
import { logOutcome } from './middleware/tracing.ts';

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
  /**
   * Counts a failed record's attempt and dead-letters it once its attempts are used up
   * (attempts/attempt-limit.ts). Runs right after the record, before an ordered batch decides
   * whether to go on: an exhausted record leaves the queue, so the records behind it may run.
   */
  readonly countAttempt?: (result: RecordResult) => Promise<void>;
  /** Records of a queue-delivery batch run at once (ordered delivery always runs one at a time). @default 1 */
  readonly concurrency?: number;
  /**
   * Decrypts the `"x-busline-pii": "encrypt"` fields of a record's data (pii-crypto.ts `open`),
   * before the record's pipeline runs: validation, dedupe and the handler see the plaintext.
   * Called only for topics with such fields.
   */
  readonly openEncrypted?: (topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>) => Promise<OpenedData>;
  /**
   * Finds the PII values of a record's data (pii-values.ts piiMaskOf), masked in what the runtime
   * writes about it. Given for a subscription with a topic whose schema marks `"x-busline-pii"`
   * fields; without it no record has a mask.
   */
  readonly piiMaskOf?: PiiMaskOf;
}

/**
 * The `ctx` a handler gets. `signal` and `logger` are read on demand (getters on the prototype, so
 * `ctx.signal` and `const { signal, logger } = ctx` both work): the deadline makes its AbortSignal,
 * and the record its logger, only for a handler that looks at them. `publish` and `write` stay own functions, so `const { publish, write } = ctx` works too.
 */
class RecordHandlerContext implements HandlerContext {
  readonly publish: HandlerContext['publish'];
  readonly write: HandlerContext['write'];
  readonly event: HandlerEventInfo;
  readonly lambdaContext: HandlerLambdaContext | undefined;
  readonly #record: RecordContext;
  constructor(publish: HandlerContext['publish'], write: HandlerContext['write'], record: RecordContext, event: HandlerEventInfo, lambdaContext: HandlerLambdaContext | undefined) {
    this.publish = publish;
    this.write = write;
    this.event = event;
    this.lambdaContext = lambdaContext;
    this.#record = record;
  }
  get logger(): HandlerContext['logger'] {
    return this.#record.logger;
  }
  get signal(): AbortSignal {
    return this.#record.deadline.signal;
  }
}

function notAttempted(inbound: InboundRecord, reason: 'timeout' | 'ordered-after-failure'): RecordResult {
  return { inbound, outcome: { kind: 'not-attempted', reason }, timings: {} };
}

const NO_DEADLINE: Deadline = { remainingMs: () => Infinity, remainingBeforeGuardMs: () => Infinity, signal: new AbortController().signal };

export function createBatchProcessor(options: BatchProcessorOptions): (state: InvocationState) => Promise<void> {
  const { config, steps, userHandler, logger, flowTopics } = options;

  const runHandler = (record: RecordContext, race: DeadlineRace, lambdaContext: HandlerLambdaContext | undefined): Promise<void> => {
    // Built field by field, not with a conditional spread, which makes a throwaway object per record.
    const causationId = record.metadata.causationId;
    const event: HandlerEventInfo = causationId
      ? { id: record.eventId, topic: record.topic, source: record.event.source, time: record.event.time, correlationId: record.correlationId, causationId, attempt: record.attempt }
      : { id: record.eventId, topic: record.topic, source: record.event.source, time: record.event.time, correlationId: record.correlationId, attempt: record.attempt };
    const ctx = new RecordHandlerContext(
      (topic, data) => options.publish(record, topic, data),
      (...items) => options.write(record, items),
      record,
      event,
      lambdaContext,
    );
    let work: Promise<void>;
    try {
      work = Promise.resolve(userHandler(record.data, ctx));
    } catch (thrown) {
      work = Promise.reject(toError(thrown));
    }
    return race.run(work, () => new TimeoutGuardError(`the handler was still running ${Math.max(0, Math.round(record.deadline.remainingMs()))} ms before the Lambda timeout: the record is retried`));
  };

  const concurrency = config.delivery === 'ordered' ? 1 : Math.max(1, Math.floor(options.concurrency ?? 1));

  return async function processBatch(state: InvocationState): Promise<void> {
    const deadline = state.deadline ?? NO_DEADLINE;
    // One abort listener for the batch's handlers, not one per record.
    const race = deadlineRace(deadline);
    // The Lambda context as the invocation's middlewares left it (values they added are read as unknown).
    const lambdaContext = state.lambdaContext as HandlerLambdaContext | undefined;
    const handler = (record: RecordContext): Promise<void> => runHandler(record, race, lambdaContext);
    try {
      if (concurrency > 1 && state.records.length > 1) await runConcurrently(state, deadline, handler);
      else await runInOrder(state, deadline, handler);
    } finally {
      race.dispose();
    }
  };

  async function runInOrder(state: InvocationState, deadline: Deadline, handler: (record: RecordContext) => Promise<void>): Promise<void> {
    const ordered = config.delivery === 'ordered';
    let stop: 'timeout' | 'ordered-after-failure' | undefined;
    for (const inbound of state.records) {
      if (!stop && (deadlineExpired(deadline) || deadline.remainingBeforeGuardMs() <= 0)) stop = 'timeout';
      if (stop) {
        state.results.push(notAttempted(inbound, stop));
        continue;
      }
      const result = await runRecord(inbound, deadline, handler);
      state.results.push(result);
      if (ordered && result.outcome.kind === 'dead-letter' && options.sendDeadLetterNow) await options.sendDeadLetterNow(result);
      const o = result.outcome;
      if (o.kind === 'retry' && o.error instanceof TimeoutGuardError) stop = 'timeout';
      // A dead-lettered record (already in the DLQ, see sendDeadLetterNow) leaves the queue for
      // good, so later records may proceed; only a record that will be redelivered must hold
      // back the rest of an ordered batch.
      else if (ordered && o.kind === 'retry') stop = 'ordered-after-failure';
    }
  }

  /** Queue delivery: `concurrency` lanes take the next record in batch order until none is left. */
  async function runConcurrently(state: InvocationState, deadline: Deadline, handler: (record: RecordContext) => Promise<void>): Promise<void> {
    const records = state.records;
    const slots: RecordResult[] = new Array(records.length);
    let next = 0;
    let stopped = false;
    const lane = async (): Promise<void> => {
      while (next < records.length) {
        const i = next++;
        const inbound = records[i]!;
        if (!stopped && (deadlineExpired(deadline) || deadline.remainingBeforeGuardMs() <= 0)) stopped = true;
        if (stopped) {
          slots[i] = notAttempted(inbound, 'timeout');
          continue;
        }
        const result = await runRecord(inbound, deadline, handler);
        slots[i] = result;
        const o = result.outcome;
        if (o.kind === 'retry' && o.error instanceof TimeoutGuardError) stopped = true;
      }
    };
    try {
      const lanes: Promise<void>[] = [];
      for (let k = 0; k < Math.min(concurrency, records.length); k++) lanes.push(lane());
      await Promise.all(lanes);
    } finally {
      // Results stay in batch order (the partial batch response pairs them with records by
      // index); should a lane have crashed, the records from the first gap on get no result and
      // are reported failed.
      for (const r of slots) {
        if (r === undefined) break;
        state.results.push(r);
      }
    }
  }

  /**
   * One record: decoded, decrypted, run through the pipeline; a failed one then has its attempt
   * counted (countAttempt). One async frame per record (this runs for every record of every batch).
   */
  async function runRecord(inbound: InboundRecord, deadline: Deadline, handler: (record: RecordContext) => Promise<void>): Promise<RecordResult> {
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
      return counted({ inbound, outcome, timings });
    }
    const d = decoded.decoded;
    // Encrypted fields are decrypted first: the schema, the mask and the handler need the plaintext.
    const encrypted = d.enveloped && options.openEncrypted ? encryptPathsOf(config.topics[d.topic]) : undefined;
    let data = d.data;
    let undecryptable: Error | undefined;
    let plaintextFields: readonly string[] | undefined;
    if (encrypted) {
      try {
        ({ data, plaintextFields } = await options.openEncrypted!(d.topic, d.data, encrypted));
      } catch (thrown) {
        undecryptable = toError(thrown);
      }
    }
    const mask = options.piiMaskOf?.(data, config.topics[d.topic]?.piiPaths);
    // Its logger is made on first use (decoded-record.ts): most records write no line.
    const record = new DecodedRecord({
      subscription: config.subscription,
      flow: config.flow,
      delivery: config.delivery,
      topic: d.topic,
      eventId: d.eventId,
      event: d.event,
      enveloped: d.enveloped,
      metadata: d.metadata,
      data,
      correlationId: d.correlationId,
      attempt,
      messageId: inbound.kind === 'sqs' ? inbound.messageId : undefined,
      transport: inbound.transport,
      deadline,
    }, logger, mask);
    if (plaintextFields && plaintextFields.length > 0) {
      // Not refused (events published before a field was marked encrypt must still be handled),
      // but said: the value crossed the bus, the queues and the archive unencrypted.
      record.logger.warn('encrypted fields received in plaintext', {
        fields: plaintextFields,
        hint: 'their schema marks them "x-busline-pii": "encrypt" but the event carried them unencrypted: publish this topic with Busline\'s publisher (ctx.publish, createPublisher), which encrypts them',
      });
    }
    if (undecryptable) {
      // Never decrypted, never validated, never handled: a field that can never be decrypted
      // (PiiDecryptionError) goes to the DLQ with the reason; a KMS failure that may pass is retried.
      const outcome: RecordOutcome = isNonRetryable(undecryptable)
        ? { kind: 'dead-letter', error: undecryptable, reason: 'non-retryable' }
        : { kind: 'retry', error: undecryptable };
      logOutcome(record, outcome, undefined);
      return counted({ inbound, outcome, record, timings });
    }
    const outcome = await runRecordPipeline(record, steps, handler, timings);
    const result: RecordResult = { inbound, outcome, record, timings };
    return outcome.kind === 'retry' || outcome.kind === 'dead-letter' ? counted(result) : result;
  }

  /** A failed record's attempt counted (before an ordered batch decides whether to go on). */
  async function counted(result: RecordResult): Promise<RecordResult> {
    const kind = result.outcome.kind;
    if (options.countAttempt && (kind === 'retry' || kind === 'dead-letter')) await options.countAttempt(result);
    return result;
  }
}
