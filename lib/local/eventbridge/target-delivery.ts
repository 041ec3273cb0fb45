/**
 * Delivery of a matched event to a rule's targets, with EventBridge's retries and DLQ:
 *
 * - an SQS target gets it at once, in the routing step, so the enqueue is logged with the
 *   event and PutEvents answers only when both are on disk;
 * - a bus target (another bus of the engine) gets it at once too, re-routed to that bus's
 *   rules (routing.ts);
 * - a Lambda target (and an SQS target whose first delivery failed and may be retried) goes
 *   through the internal delivery queue `busline-internal-target-deliveries`, whose receive
 *   count is the attempt number: the delivery stays durable until it succeeds, or until the
 *   target's RetryPolicy is used up and it goes to the target's DeadLetterConfig queue (or is
 *   dropped).
 *
 * A failure retrying cannot cure (the target resource is missing, the request is invalid)
 * goes to the DLQ at once, as EventBridge does ("Using dead-letter queues to process
 * undelivered events"). Every dead letter says why (dead-letter.ts).
 */
import type { SqsService } from '../sqs/sqs-service.ts';
import type { SendMessageInput } from '../sqs/types.ts';
import type { Building } from '../building.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import type { Clock } from '../clock.ts';
import type { JournalSink } from './journal-sink.ts';
import { readPath } from './json-path.ts';
import type { CompiledTarget, Rule } from './declarations.ts';
import { BusHopError, TargetPermissionError, deadLetterAttributes, errorCodeOf, permanentReason, type DeadLetterReason } from './dead-letter.ts';
import type { BusEvent, LambdaInvoker } from './types.ts';

export const DELIVERY_QUEUE = 'busline-internal-target-deliveries';
/**
 * A delivery stays in flight while the function runner handles it, which with Lambda's own
 * async retries can take longer than 15 minutes: the lease is the maximum, 12 hours (a crash
 * releases it at the next start anyway).
 */
const DELIVERY_QUEUE_ATTRIBUTES = { VisibilityTimeout: '43200', MessageRetentionPeriod: '1209600' };
const DELIVERY_CONCURRENCY = 64;
const BACKOFF_CAP_SECONDS = 60;
const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_MS = 86_400_000;

/** Body of a message in the internal delivery queue. */
interface PendingDelivery {
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly arn: string;
  readonly input: string;
  readonly eventId: string;
  /** Epoch ms the event was accepted (for MaximumEventAgeInSeconds). */
  readonly acceptedAt: number;
  /** Attempts made before the message was queued (or queued again). */
  readonly attemptsBefore: number;
  /** Epoch ms of the first failed attempt, once there was one. */
  readonly firstFailedAt?: number;
  readonly groupId?: string;
  readonly traceHeader?: string;
  readonly lineage?: MessageLineage;
}

/** A matched event, as routing hands it to delivery. */
export interface MatchedEvent {
  readonly event: BusEvent;
  readonly eventText: string;
  /** Epoch ms the event was accepted. */
  readonly now: number;
  readonly ingestionTime: string;
  readonly traceHeader: string | undefined;
  readonly lineage: MessageLineage;
  /** The event came to this bus from a rule of another bus. */
  readonly forwarded: boolean;
}

export interface TargetDeliveryOptions {
  readonly sqs: SqsService;
  readonly journal: JournalSink | undefined;
  readonly clock: Clock;
  /** The target a queued delivery names, if its rule still has it. */
  findTarget(bus: string, rule: string, targetId: string): CompiledTarget | undefined;
  ruleArn(bus: string, rule: string): string;
  /** Route the event on another bus (a bus target); throws when that bus does not exist. */
  forward(busArn: string, matched: MatchedEvent): void;
  /** Whether a fault (chaos mode) delivers this matched event to the target a second time. */
  readonly deliversTwice?: (target: { readonly bus: string; readonly rule: string; readonly targetId: string }, matched: MatchedEvent) => boolean;
  /**
   * IAM: the AccessDenied message when the rule may not send to the queue (the queue policy
   * decides: events.amazonaws.com, aws:SourceArn = the rule's ARN); undefined when it may.
   */
  refuseDelivery?(ruleArn: string, queueArn: string): string | undefined;
}

type Verdict = { readonly final: false } | { readonly final: true; readonly reason: DeadLetterReason };

export class TargetDelivery {
  private invoker: LambdaInvoker | undefined;
  private worker: { abort: AbortController; done: Promise<void> } | undefined;
  private active = 0;
  private readonly idle = new Set<() => void>();
  /**
   * Set by stop(): a delivery still running then (a function invocation the stop cut short)
   * leaves its message in flight on the durable delivery queue, untouched, and the next start
   * releases it, so it is delivered again; the store and journal are closing and must not be
   * written.
   */
  private stopping = false;

  constructor(private readonly options: TargetDeliveryOptions) {}

  setLambdaInvoker(invoker: LambdaInvoker): void {
    this.invoker = invoker;
  }

  /** First delivery of a matched event to one target of a rule. */
  deliver(rule: Rule, target: CompiledTarget, matched: MatchedEvent): void {
    if (target.kind === 'bus') {
      this.forwardToBus(rule, target, matched);
      return;
    }
    this.deliverOnce(rule, target, matched);
    // A FIFO queue target would drop the second copy by its deduplication id (the event id).
    if (!target.definition.Arn.endsWith('.fifo') && this.options.deliversTwice?.({ bus: rule.bus, rule: rule.name, targetId: target.definition.Id }, matched)) {
      this.deliverOnce(rule, target, matched);
    }
  }

  private deliverOnce(rule: Rule, target: CompiledTarget, matched: MatchedEvent): void {
    const { event, now } = matched;
    const input = target.build(event, matched.eventText, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime: matched.ingestionTime });
    const groupId = target.groupId === undefined ? undefined : typeof target.groupId === 'string' ? target.groupId : stringOf(readPath(event, target.groupId));
    const pending = pendingOf(rule, target, matched, input, groupId);
    if (target.kind !== 'sqs') {
      this.queueDelivery(pending, 0);
      return;
    }
    try {
      this.sendToQueue(pending);
    } catch (error) {
      this.failedFirst(pending, target, error, now);
    }
  }

  /**
   * A bus target: the event goes on to the other bus's rules, in the same step. An event that
   * came from another bus is not forwarded again (EventBridge cannot route an event received
   * from a sender bus to a third bus: user guide, "Sending and receiving events between event
   * buses in the same account and Region"); it goes to the target's DLQ instead.
   */
  private forwardToBus(rule: Rule, target: CompiledTarget, matched: MatchedEvent): void {
    const pending = pendingOf(rule, target, matched, matched.eventText, undefined);
    try {
      if (matched.forwarded) {
        throw new BusHopError(`event ${matched.event.id} came to bus ${rule.bus} from another bus; EventBridge does not route it on to a third bus (${target.definition.Arn})`);
      }
      this.options.forward(target.definition.Arn, matched);
    } catch (error) {
      this.failedFirst(pending, target, error, matched.now);
    }
  }

  /** The first attempt failed in the routing step: retry it through the queue, or give up. */
  private failedFirst(pending: PendingDelivery, target: CompiledTarget, error: unknown, now: number): void {
    const verdict = this.verdict(pending, target, error, 1, now);
    if (verdict.final) {
      this.deadLetter(pending, target, error, 1, now, verdict.reason);
      return;
    }
    this.journalFailure(pending, 1, error, false);
    this.queueDelivery({ ...pending, attemptsBefore: 1, firstFailedAt: now }, backoffSeconds(1));
  }

  private verdict(pending: PendingDelivery, target: CompiledTarget | undefined, error: unknown, attempt: number, now: number): Verdict {
    const permanent = permanentReason(error);
    if (permanent) return { final: true, reason: permanent };
    if (attempt > (target?.maxRetries ?? DEFAULT_MAX_RETRIES)) return { final: true, reason: 'retries-exhausted' };
    if (now - pending.acceptedAt >= (target?.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return { final: true, reason: 'max-event-age' };
    return { final: false };
  }

  private sendToQueue(pending: PendingDelivery): void {
    const sqs = this.options.sqs;
    const queue = sqs.get(pending.arn);
    const refused = this.options.refuseDelivery?.(this.options.ruleArn(pending.bus, pending.rule), queue.arn);
    if (refused !== undefined) throw new TargetPermissionError(refused);
    const message: Building<SendMessageInput> = { MessageBody: pending.input };
    if (pending.groupId !== undefined) message.MessageGroupId = pending.groupId;
    // EventBridge uses the event id as the deduplication id of a FIFO target.
    if (queue.fifo) message.MessageDeduplicationId = pending.eventId;
    if (pending.traceHeader !== undefined) message.MessageSystemAttributes = { AWSTraceHeader: { DataType: 'String', StringValue: pending.traceHeader } };
    sqs.send(queue, message, `rule:${pending.bus}/${pending.rule}/${pending.targetId}`, pending.lineage);
  }

  private queueDelivery(pending: PendingDelivery, delaySeconds: number): void {
    const sqs = this.options.sqs;
    if (!sqs.find(DELIVERY_QUEUE)) sqs.createQueue(DELIVERY_QUEUE, DELIVERY_QUEUE_ATTRIBUTES, { internal: true });
    sqs.send(DELIVERY_QUEUE, { MessageBody: JSON.stringify(pending), DelaySeconds: Math.min(900, delaySeconds) }, 'retry', pending.lineage);
  }

  // ---- the delivery worker -----------------------------------------------------------

  /** Start delivering queued target deliveries (after recovery). */
  start(): void {
    this.stopping = false;
    if (this.worker) return;
    const sqs = this.options.sqs;
    sqs.createQueue(DELIVERY_QUEUE, DELIVERY_QUEUE_ATTRIBUTES, { internal: true });
    const abort = new AbortController();
    const done = (async () => {
      while (!abort.signal.aborted) {
        if (this.active >= DELIVERY_CONCURRENCY) {
          await new Promise<void>((resolve) => this.idle.add(resolve));
          continue;
        }
        const messages = await sqs.receive(DELIVERY_QUEUE, { maxNumberOfMessages: 10, waitTimeSeconds: 3600, signal: abort.signal });
        for (const message of messages) {
          this.active++;
          void this.deliverQueued(message.Body, message.ReceiptHandle, Number(message.Attributes['ApproximateReceiveCount'])).finally(() => {
            this.active--;
            for (const resolve of [...this.idle]) resolve();
            this.idle.clear();
          });
        }
      }
    })();
    this.worker = { abort, done };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.worker) return;
    this.worker.abort.abort();
    for (const resolve of [...this.idle]) resolve();
    await this.worker.done;
    this.worker = undefined;
  }

  private async deliverQueued(body: string, receiptHandle: string, receiveCount: number): Promise<void> {
    const sqs = this.options.sqs;
    let pending: PendingDelivery;
    try {
      pending = JSON.parse(body) as PendingDelivery;
    } catch {
      sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
      return;
    }
    const attempt = pending.attemptsBefore + receiveCount;
    const target = this.options.findTarget(pending.bus, pending.rule, pending.targetId);
    const lineage = pending.lineage ?? {};
    try {
      if (pending.arn.startsWith('arn:aws:sqs:')) {
        this.sendToQueue(pending);
      } else {
        if (!this.invoker) throw new Error('no function runner is attached to the engine (setLambdaInvoker)');
        this.options.journal?.write({ kind: 'target.invoked', eventId: pending.eventId, bus: pending.bus, rule: pending.rule, targetId: pending.targetId, functionArn: pending.arn, attempt, topic: lineage.topic, correlationId: lineage.correlationId });
        await this.invoker.invokeAsync(pending.arn, parseInput(pending.input), { eventId: pending.eventId, ruleName: pending.rule, busName: pending.bus, attempt });
      }
      if (this.stopping) return;
      sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
    } catch (error) {
      if (this.stopping) return;
      const now = this.options.clock.now();
      const verdict = this.verdict(pending, target, error, attempt, now);
      if (verdict.final) {
        this.deadLetter(pending, target, error, attempt, now, verdict.reason);
        sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
        return;
      }
      this.journalFailure(pending, attempt, error, false);
      if (pending.firstFailedAt === undefined) {
        // The first failure: queue the delivery again with its time (and the attempts so far),
        // so its dead letter can say when the failures began.
        this.queueDelivery({ ...pending, attemptsBefore: attempt, firstFailedAt: now }, backoffSeconds(attempt));
        sqs.deleteMessage(DELIVERY_QUEUE, receiptHandle);
      } else {
        sqs.changeVisibility(DELIVERY_QUEUE, receiptHandle, backoffSeconds(attempt));
      }
    }
  }

  /** The delivery is over: to the target's DLQ with the reason, or dropped. */
  private deadLetter(pending: PendingDelivery, target: CompiledTarget | undefined, error: unknown, attempts: number, now: number, reason: DeadLetterReason): void {
    const sqs = this.options.sqs;
    const dlqArn = target?.deadLetterArn;
    let deadLetter = 'dropped';
    if (dlqArn && sqs.find(dlqArn)) {
      const attributes = deadLetterAttributes({
        ruleArn: this.options.ruleArn(pending.bus, pending.rule),
        targetArn: pending.arn,
        reason,
        errorCode: errorCodeOf(error),
        errorMessage: messageOf(error),
        attempts,
        firstFailedAt: pending.firstFailedAt ?? now,
        lastFailedAt: now,
      });
      sqs.send(dlqArn, { MessageBody: pending.input, MessageAttributes: attributes }, 'dead-letter', pending.lineage);
      deadLetter = dlqArn;
    }
    this.journalFailure(pending, attempts, error, true, deadLetter);
  }

  private journalFailure(pending: PendingDelivery, attempt: number, error: unknown, final: boolean, deadLetter?: string): void {
    const lineage = pending.lineage ?? {};
    this.options.journal?.write({
      kind: 'target.failed',
      eventId: pending.eventId,
      bus: pending.bus,
      rule: pending.rule,
      targetId: pending.targetId,
      attempt,
      error: messageOf(error),
      final,
      ...(deadLetter !== undefined && { deadLetter }),
      topic: lineage.topic,
      correlationId: lineage.correlationId,
    });
  }
}

/** A first delivery of `matched` to `target`, with the input the target receives. */
function pendingOf(rule: Rule, target: CompiledTarget, matched: MatchedEvent, input: string, groupId: string | undefined): PendingDelivery {
  // Members set one by one rather than spread in (this runs for every delivery); same order.
  const pending: Building<PendingDelivery> = {
    bus: rule.bus,
    rule: rule.name,
    targetId: target.definition.Id,
    arn: target.definition.Arn,
    input,
    eventId: matched.event.id,
    acceptedAt: matched.now,
    attemptsBefore: 0,
  };
  if (groupId !== undefined) pending.groupId = groupId;
  if (matched.traceHeader !== undefined) pending.traceHeader = matched.traceHeader;
  pending.lineage = matched.lineage;
  return pending;
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

function stringOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parseInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function backoffSeconds(attempt: number): number {
  // Exponential with full jitter, capped: 1 s, 2 s, 4 s … 60 s.
  const ceiling = Math.min(BACKOFF_CAP_SECONDS, 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(Math.random() * ceiling));
}
