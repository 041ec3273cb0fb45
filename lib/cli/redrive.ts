/**
 * Redrive of a subscription's dead-letter queue, back to exactly that subscription:
 *
 * - a queue subscription: SQS's own message move task from the DLQ to the subscription's
 *   queue (StartMessageMoveTask, at `rate` messages a second); every message keeps its body
 *   and attributes (the reason and attempt the runtime or EventBridge attached). With
 *   `oneByOne` (FIFO DLQs, endpoints without move tasks, or to record a redrive history), each
 *   message is sent to the queue and deleted from the DLQ as below.
 * - a direct subscription (rule → Lambda): AWS's move task cannot take these (its DLQ has no
 *   SQS source), so each message's original event is invoked asynchronously on the
 *   subscription's own function — not published to the bus, which would reach every
 *   subscriber — and then deleted from the DLQ.
 *
 * An ordered subscription has a second DLQ, the rule target's (EventBridge cannot send to its
 * FIFO DLQ): its dead letters always go back one by one (the move task takes only the DLQ of an
 * SQS queue), each in the message group the rule would have given it.
 *
 * One by one, only the messages on the DLQ when the redrive starts are sent back (at most as
 * many as it held then, and none sent after): an event that fails again at once comes back to
 * the DLQ as a new message, which this redrive leaves there, rather than cycling.
 *
 * Moved one by one, an event keeps its identity (`id`, `detail.metadata.id`: dedupe holds)
 * and gains a redrive history entry (kind, reason, attempts) in its `busline-redrive` field,
 * so when it fails again its next dead letter still says what happened before.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand, type Message,
} from '@aws-sdk/client-sqs';
import type { FlowClients } from './aws-clients.ts';
import { eventToRedrive, parseDeadLetter } from './dead-letter.ts';
import type { TargetQueue, TargetSubscription } from './flow-target.ts';
import { dataFieldAt, dataFieldText } from './data-field.ts';
import { queueDepth } from './queue-depth.ts';

export interface RedriveOptions {
  /** Messages per second. SQS's move task takes 1–500. @default 10 */
  readonly rate?: number;
  /** Stop after this many messages (one by one only). @default every message on the DLQ */
  readonly max?: number;
  /** Move a queue subscription's dead letters one by one instead of with a move task. */
  readonly oneByOne?: boolean;
}

export interface RedriveResult {
  /** The handle of the SQS move task started for the DLQ (a queue subscription, not one by one). */
  readonly moveTask?: string;
  /** Dead letters sent back one by one (the DLQ's, and an ordered subscription's delivery DLQ's). */
  readonly redriven: number;
  readonly skipped: readonly { readonly messageId: string; readonly why: string }[];
}

export class RedriveError extends Error {
  override readonly name = 'RedriveError';
}

export const MAX_MOVE_TASK_RATE = 500;
const DEFAULT_RATE = 10;
/** How long a received dead letter stays hidden while it is sent back. */
const REDRIVE_VISIBILITY_SECONDS = 60;

export async function redrive(clients: FlowClients, sub: TargetSubscription, options: RedriveOptions = {}): Promise<RedriveResult> {
  const rate = options.rate ?? DEFAULT_RATE;
  if (!(rate > 0) || (sub.queue && rate > MAX_MOVE_TASK_RATE)) {
    throw new RedriveError(`--rate ${rate}: give the messages a second as a number above 0${sub.queue ? ` and at most ${MAX_MOVE_TASK_RATE} (SQS's move task)` : ''}`);
  }
  const dlq = sub.dlq;
  if (!dlq) throw new RedriveError(`subscription ${sub.name} has no dead-letter queue`);
  if (!sub.queue && !sub.function) throw new RedriveError(`subscription ${sub.name} has neither a queue nor a function to redrive to`);
  let moveTask: string | undefined;
  const oneByOneResult = { redriven: 0, skipped: [] as { messageId: string; why: string }[] };
  let max = options.max ?? Number.POSITIVE_INFINITY;
  if (sub.queue && !options.oneByOne) {
    const task = await clients.sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: dlq.arn, DestinationArn: sub.queue.arn, MaxNumberOfMessagesPerSecond: Math.ceil(rate),
    }));
    moveTask = task.TaskHandle ?? '';
  } else {
    const { redriven, skipped } = await oneByOne(clients, sub, dlq, rate, max);
    oneByOneResult.redriven += redriven;
    oneByOneResult.skipped.push(...skipped);
    max -= redriven;
  }
  // The move task takes only a DLQ of an SQS queue; the delivery DLQ is the rule target's, so
  // its dead letters always go back one by one.
  if (sub.deliveryDlq) {
    const { redriven, skipped } = await oneByOne(clients, sub, sub.deliveryDlq, rate, max);
    oneByOneResult.redriven += redriven;
    oneByOneResult.skipped.push(...skipped);
  }
  return { ...(moveTask !== undefined ? { moveTask } : {}), ...oneByOneResult };
}

async function oneByOne(clients: FlowClients, sub: TargetSubscription, dlq: TargetQueue, rate: number, maxMessages: number): Promise<Omit<RedriveResult, 'moveTask'>> {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const startedAt = Date.now();
  const held = await queueDepth(clients.sqs, dlq);
  const max = Math.min(maxMessages, held.visible + held.inFlight);
  const gapMs = 1000 / rate;
  const seen = new Set<string>();
  const skipped: { messageId: string; why: string }[] = [];
  let redriven = 0;
  let nextAt = Date.now();
  for (;;) {
    const want = Math.min(10, max - redriven);
    if (want <= 0) break;
    const out = await clients.sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlq.url, MaxNumberOfMessages: want, VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS, WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const m of fresh) {
      seen.add(m.MessageId ?? '');
      const letter = parseDeadLetter(m);
      const release = (): Promise<unknown> => clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      if (letter.sentAt && letter.sentAt.getTime() >= startedAt) {
        await release(); // a failure newer than this redrive: the next redrive's
        continue;
      }
      if (!letter.event) {
        await release();
        skipped.push({ messageId: letter.messageId, why: 'its body is not a JSON event; left on the DLQ' });
        continue;
      }
      const wait = nextAt - Date.now();
      if (wait > 0) await sleep(wait);
      nextAt = Math.max(nextAt, Date.now()) + gapMs;
      await sendBack(clients, sub, dlq, m, eventToRedrive(letter, new Date()));
      redriven++;
    }
  }
  return { redriven, skipped };
}

/**
 * Sends one dead letter's event back to exactly its subscription (its queue, or its function
 * invoked asynchronously), then deletes the dead letter from `dlq` — only once the subscription
 * accepted it: a failure leaves it on the DLQ.
 */
async function sendBack(clients: FlowClients, sub: TargetSubscription, dlq: TargetQueue, m: Message, event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(event);
  if (sub.queue) {
    // A FIFO queue: the message's own group (SQS keeps it on a FIFO DLQ; a delivery DLQ is
    // standard, so the group is read from the event as the rule reads it), and a new
    // deduplication id, or SQS would drop it as a repeat of the original within 5 minutes.
    const fifo = sub.queue.name.endsWith('.fifo')
      ? { MessageGroupId: m.Attributes?.MessageGroupId ?? messageGroupOf(event, sub.manifest.messageGroupPath) ?? sub.name, MessageDeduplicationId: `redrive-${m.MessageId ?? ''}` }
      : {};
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: sub.queue.url, MessageBody: body, ...fifo }));
  } else {
    await clients.lambda.send(new InvokeCommand({ FunctionName: sub.function!.arn, InvocationType: 'Event', Payload: new TextEncoder().encode(body) }));
  }
  await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: m.ReceiptHandle }));
}

/** The value at `detail.data.<path>` as text, as the rule target's MessageGroupId `$.detail.data.<path>` reads it. */
function messageGroupOf(event: Record<string, unknown>, path: string | undefined): string | undefined {
  return path === undefined ? undefined : dataFieldText(dataFieldAt((event.detail as { data?: unknown } | undefined)?.data, path));
}

/**
 * Redrives one dead letter, found by its message id on the subscription's DLQ or delivery DLQ,
 * to its subscription; with `data`, the event's `detail.data` is replaced first (the caller
 * validated it against the topic's schema). Throws RedriveError when the message is on neither
 * (or another consumer holds it).
 */
export async function redriveMessage(clients: FlowClients, sub: TargetSubscription, messageId: string, data?: unknown): Promise<void> {
  if (!sub.dlq) throw new RedriveError(`subscription ${sub.name} has no dead-letter queue`);
  if (!sub.queue && !sub.function) throw new RedriveError(`subscription ${sub.name} has neither a queue nor a function to redrive to`);
  const dlqs = sub.deliveryDlq ? [sub.dlq, sub.deliveryDlq] : [sub.dlq];
  for (const dlq of dlqs) if (await redriveFrom(clients, sub, dlq, messageId, data)) return;
  throw new RedriveError(`message ${messageId} is not on ${dlqs.map((q) => q.name).join(' or ')} (redriven already, or received by another consumer)`);
}

/** Whether the message was on `dlq` and sent back. */
async function redriveFrom(clients: FlowClients, sub: TargetSubscription, dlq: TargetQueue, messageId: string, data: unknown): Promise<boolean> {
  const held = await queueDepth(clients.sqs, dlq);
  const seen = new Set<string>();
  const hidden: Message[] = [];
  try {
    while (seen.size < held.visible + held.inFlight) {
      const out = await clients.sqs.send(new ReceiveMessageCommand({
        QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS, WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
      }));
      const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        seen.add(m.MessageId ?? '');
        if (m.MessageId !== messageId) { hidden.push(m); continue; }
        const letter = parseDeadLetter(m);
        const event = eventToRedrive(letter, new Date());
        if (data !== undefined) event.detail = { ...(event.detail as Record<string, unknown> | undefined), data };
        await sendBack(clients, sub, dlq, m, event);
        return true;
      }
    }
    return false;
  } finally {
    // The other dead letters received on the way become visible again at once.
    await Promise.all(hidden.map((m) => clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq.url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }))));
  }
}
