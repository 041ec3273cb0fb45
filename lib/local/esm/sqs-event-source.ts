/**
 * An SQS event source mapping: pollers that receive batches from a queue (batch size and
 * batching window), invoke the function with the records in AWS's SQS event shape, and delete
 * what succeeded — all of the batch, or, with ReportBatchItemFailures, all but the reported
 * failures. Failed messages are left alone: they come back after their visibility timeout
 * (or whatever ChangeMessageVisibility set) and reach the DLQ by the queue's redrive policy.
 * Up to `MaximumConcurrency` invocations run at once, and never more than the function has
 * execution environments: a poller holding a batch while it waits for an environment would
 * let the batch's visibility timeout run down for nothing.
 */
import { randomUUID } from 'node:crypto';
import type { LocalEventSourceMapping } from '../assembly/app-model.ts';
import type { LocalEngine } from '../engine.ts';
import type { ReceivedMessage } from '../sqs/types.ts';
import type { FunctionRunner } from '../lambda/function-runner.ts';
import type { InvokeResult } from '../lambda/lambda-types.ts';
import { readBatchResponse, type BatchVerdict } from './batch-response.ts';
import { toSqsEventRecord } from './sqs-event-record.ts';
import { readEvent, type EventFields } from './event-fields.ts';
import type { Chaos } from '../chaos/chaos.ts';
import { logsPerMessage } from './log-attribution.ts';
import { sleep } from '../clock.ts';

/** The part of the engine a mapping uses. */
export type MappingEnginePort = Pick<LocalEngine, 'receiveMessages' | 'deleteMessage' | 'changeMessageVisibility' | 'queue' | 'journalAppend' | 'region' | 'clock'>;

/** Long-poll wait of each receive; pollers are stopped through an AbortSignal. */
const POLL_WAIT_SECONDS = 20;
/** Concurrent invocations when the mapping sets no MaximumConcurrency (then capped by the function's environments). */
export const DEFAULT_MAPPING_CONCURRENCY = 1000;

export interface MappingOutcome {
  readonly result: InvokeResult;
  readonly verdict: BatchVerdict | { readonly kind: 'error' };
  readonly messageIds: readonly string[];
}

export class SqsEventSource {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  /** Receives of messages whose lease a fault let run out (see expireLeases). */
  private readonly takeovers = new Set<Promise<void>>();
  private readonly queueName: string;

  constructor(
    readonly mapping: LocalEventSourceMapping,
    private readonly engine: MappingEnginePort,
    private readonly runner: FunctionRunner,
    private readonly onOutcome?: (outcome: MappingOutcome) => void,
    /** The chaos mode, for visibility expiry while the handler runs. */
    private readonly chaos?: Chaos,
    /** The function's role session, recorded as the receiver of each message (audit). */
    private readonly principal?: string,
  ) {
    this.queueName = engine.queue(mapping.queueArn).name;
  }

  start(): void {
    if (!this.mapping.enabled) return;
    const pollers = Math.min(this.mapping.maximumConcurrency ?? DEFAULT_MAPPING_CONCURRENCY, this.runner.concurrency(this.mapping.functionName));
    for (let i = 0; i < pollers; i++) this.loops.push(this.poll());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.loops, ...this.takeovers]);
  }

  /**
   * Visibility expiry (chaos mode): while the handler runs, the lease of a message it holds runs
   * out, so the message is visible again, and another poller receives it: one more receive
   * (then processed as any batch) joins the mapping's pollers. The handler's delete then holds
   * an old receipt handle, which does not delete the message received since.
   */
  private async expireLeases(batch: readonly ReceivedMessage[], fields: readonly EventFields[]): Promise<void> {
    let expired = false;
    for (const [i, m] of batch.entries()) {
      if (!this.chaos!.strikes('visibility-expiry', this.queueName)) continue;
      try {
        await this.engine.changeMessageVisibility(this.queueName, m.ReceiptHandle, 0);
      } catch {
        continue; // no longer in flight: nothing left to expire
      }
      expired = true;
      this.chaos!.record({
        fault: 'visibility-expiry', queue: this.queueName, messageId: m.MessageId, functionName: this.mapping.functionName, ...fields[i],
        detail: 'its visibility timeout ran out while the handler ran: visible again, received by another poller',
      });
    }
    if (!expired || this.abort.signal.aborted) return;
    const takeover = this.engine.receiveMessages(this.queueName, { maxNumberOfMessages: Math.min(10, this.mapping.batchSize), waitTimeSeconds: 0 })
      .then((taken) => (taken.length > 0 ? this.process(taken) : undefined))
      .catch((error: unknown) => { if (!this.abort.signal.aborted) process.emitWarning(`event source mapping ${this.mapping.logicalId}: ${(error as Error).message}`); })
      .finally(() => this.takeovers.delete(takeover));
    this.takeovers.add(takeover);
  }

  private async poll(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const batch = await this.gatherBatch(signal);
        if (batch.length === 0) continue;
        await this.process(batch);
      } catch (error) {
        if (signal.aborted) return;
        // A poller never dies: report, back off briefly, poll again (as Lambda's pollers do).
        process.emitWarning(`event source mapping ${this.mapping.logicalId}: ${(error as Error).message}`);
        await sleep(this.engine.clock, 500);
      }
    }
  }

  /** Receives up to BatchSize messages, waiting up to MaximumBatchingWindowInSeconds to fill the batch. */
  private async gatherBatch(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    const batch = await this.engine.receiveMessages(this.queueName, {
      maxNumberOfMessages: Math.min(10, batchSize), waitTimeSeconds: POLL_WAIT_SECONDS, signal,
      ...(this.principal !== undefined && { principal: this.principal }),
    });
    if (batch.length === 0 || maximumBatchingWindowSeconds <= 0) return batch;
    const deadline = this.engine.clock.now() + maximumBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !signal.aborted) {
      const remainingMs = deadline - this.engine.clock.now();
      if (remainingMs <= 0) break;
      const more = await this.engine.receiveMessages(this.queueName, {
        maxNumberOfMessages: Math.min(10, batchSize - batch.length), waitTimeSeconds: remainingMs / 1000, signal,
        ...(this.principal !== undefined && { principal: this.principal }),
      });
      batch.push(...more);
    }
    return batch;
  }

  private async process(batch: ReceivedMessage[]): Promise<void> {
    const fn = this.runner.get(this.mapping.functionName);
    const records = batch.map((m) => toSqsEventRecord(m, this.mapping.queueArn, this.engine.region));
    const messageIds = batch.map((m) => m.MessageId);
    const invocationId = randomUUID();
    const read = batch.map((m) => readEvent(m.Body));
    const fields = read.map((r) => r.fields);
    batch.forEach((m, i) => this.engine.journalAppend({
      kind: 'invocation.started', functionName: fn.name, invocationId, messageIds: [m.MessageId],
      attempt: Number(m.Attributes.ApproximateReceiveCount ?? 1), ...fields[i],
    }, m.Body));

    const invoking = this.runner.invoke(fn.name, { Records: records });
    if (this.chaos) await this.expireLeases(batch, fields);
    const result = await invoking;
    let verdict: MappingOutcome['verdict'];
    let toDelete: ReceivedMessage[];
    if (!result.ok) {
      verdict = { kind: 'error' };
      toDelete = [];
    } else if (!this.mapping.reportBatchItemFailures) {
      verdict = { kind: 'success' };
      toDelete = batch;
    } else {
      verdict = readBatchResponse(result.value, messageIds);
      const failed = verdict.kind === 'partial' ? new Set(verdict.failedMessageIds) : undefined;
      toDelete = verdict.kind === 'malformed' ? [] : batch.filter((m) => !failed?.has(m.MessageId));
    }
    await Promise.all(toDelete.map((m) => this.engine.deleteMessage(this.queueName, m.ReceiptHandle).catch(() => {
      // The receipt handle expired (the handler outlived the visibility timeout): the message
      // is visible again and will be delivered once more, as on AWS.
    })));

    const outcome = !result.ok ? (result.timedOut ? 'timeout' : 'error')
      : verdict.kind === 'partial' ? 'partial-failure' : verdict.kind === 'malformed' ? 'error' : 'success';
    const error = !result.ok ? `${result.error?.errorType}: ${result.error?.errorMessage}`
      : verdict.kind === 'malformed' ? `malformed batch response, whole batch failed: ${verdict.reason}` : undefined;
    const failedIds = verdict.kind === 'partial' ? new Set(verdict.failedMessageIds) : undefined;
    const logs = result.logs.map((l) => (l.level === 'info' ? l.text : `${l.level.toUpperCase()} ${l.text}`));
    const logsOf = logsPerMessage(logs, batch.map((m, i) => [m.MessageId, fields[i]!.eventId ?? '', read[i]!.envelopeId ?? '']));
    batch.forEach((m, i) => {
      const failedHere = outcome === 'error' || outcome === 'timeout' || failedIds?.has(m.MessageId);
      this.engine.journalAppend({
        kind: 'invocation.finished', functionName: fn.name, invocationId, durationMs: result.durationMs,
        outcome: failedHere ? (outcome === 'partial-failure' ? 'partial-failure' : outcome) : 'success',
        ...(failedHere && error ? { error } : {}),
        ...(failedIds?.has(m.MessageId) ? { failedMessageIds: [m.MessageId] } : {}),
        logs: logsOf[i]!, ...fields[i],
      }, m.Body);
    });
    this.onOutcome?.({ result, verdict, messageIds });
  }
}
