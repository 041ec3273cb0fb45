/**
 * The local SQS engine: one object the engine, the wire actions and EventBridge delivery use.
 * It composes the concerns, each in its own file:
 *
 *   sqs-state.ts             the queues and the log records that change them (commit / apply)
 *   recovery.ts              replaying the log at start, snapshots
 *   queue-registry.ts        CreateQueue / SetQueueAttributes, DeleteQueue, tags, purge, attributes
 *   send.ts                  SendMessage's checks, FIFO dedupe and sequence numbers
 *   receive.ts               ReceiveMessage (long polls, redrive to DLQs), peek
 *   delete-and-visibility.ts DeleteMessage, ChangeMessageVisibility
 *   message-move.ts          moving dead letters back, all at once
 *   message-move-tasks.ts    StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask
 */
import { systemClock, type Clock } from '../clock.ts';
import { changeVisibility, deleteMessage } from './delete-and-visibility.ts';
import { moveAllMessages } from './message-move.ts';
import { MessageMoveTasks } from './message-move-tasks.ts';
import { createQueue, deadLetterSourceQueues, type CreateQueueOptions, deleteQueue, listQueues, purgeQueue, queueAttributes, queueInfo, tagQueue, untagQueue } from './queue-registry.ts';
import type { QueueTags } from './queue-tags.ts';
import type { MessageLineage, Queue } from './queue.ts';
import { peekMessages, receiveMessages } from './receive.ts';
import { applyRecovered, finishRecovery, snapshotRecords } from './recovery.ts';
import { sendMessage } from './send.ts';
import { SqsState, type RecordSink, type SqsFaults, type SqsObserver, type SqsRecord, type SqsServiceOptions } from './sqs-state.ts';
import type { QueueAttributes, QueueInfo, ReceiveOptions, ReceivedMessage, SendMessageInput, SendMessageResult } from './types.ts';

export { queueNameOf } from './sqs-state.ts';
export type { RecordSink, SqsFaults, SqsObserver, SqsServiceOptions } from './sqs-state.ts';

export class SqsService {
  private readonly state: SqsState;
  /** The message move tasks (StartMessageMoveTask and its companions). */
  readonly moveTasks: MessageMoveTasks;

  constructor(sink: RecordSink, options: SqsServiceOptions) {
    this.state = new SqsState(sink, options, options.clock ?? systemClock);
    this.moveTasks = new MessageMoveTasks(this.state);
  }

  /** The engine's time (a test harness can make it virtual; see lib/local/clock.ts). */
  get clock(): Clock {
    return this.state.clock;
  }

  get observer(): SqsObserver {
    return this.state.observer;
  }

  set observer(observer: SqsObserver) {
    this.state.observer = observer;
  }

  /** Delivery faults to inject (the engine's chaos mode). */
  set faults(faults: SqsFaults | undefined) {
    this.state.faults = faults;
  }

  set baseUrl(url: string) {
    this.state.options.baseUrl = url;
  }

  // ---- recovery ---------------------------------------------------------------

  /** Apply one recovered record; returns false if it is not an SQS record. */
  applyRecovered(record: { t?: unknown }): boolean {
    return applyRecovered(this.state, record);
  }

  /** After recovery: build indexes; optionally make in-flight messages visible again. */
  finishRecovery(inFlight: 'release' | 'keep'): void {
    finishRecovery(this.state, inFlight);
  }

  /** The whole state as records (for a snapshot). */
  snapshot(): Generator<SqsRecord> {
    return snapshotRecords(this.state);
  }

  /** Resolves once every change made so far is on disk. */
  durable(): Promise<void> {
    return this.state.durable();
  }

  // ---- queues -----------------------------------------------------------------

  urlOf(name: string): string {
    return this.state.urlOf(name);
  }

  arnOf(name: string): string {
    return this.state.arnOf(name);
  }

  /** Create the queue, or update its attributes when it exists (idempotent). */
  createQueue(name: string, attributes: QueueAttributes = {}, options: CreateQueueOptions = {}): QueueInfo {
    return createQueue(this.state, name, attributes, options);
  }

  deleteQueue(queueRef: string): void {
    deleteQueue(this.state, queueRef);
  }

  tagQueue(queueRef: string, tags: QueueTags): void {
    tagQueue(this.state, queueRef, tags);
  }

  untagQueue(queueRef: string, keys: readonly string[]): void {
    untagQueue(this.state, queueRef, keys);
  }

  /** Look a queue up by name, URL or ARN; throws QueueDoesNotExist. */
  get(nameUrlOrArn: string): Queue {
    return this.state.get(nameUrlOrArn);
  }

  find(nameUrlOrArn: string): Queue | undefined {
    return this.state.find(nameUrlOrArn);
  }

  info(queue: Queue): QueueInfo {
    return queueInfo(this.state, queue);
  }

  list(prefix = ''): Queue[] {
    return listQueues(this.state, prefix);
  }

  /** GetQueueAttributes: the stored attributes plus the computed ones. */
  attributesOf(queue: Queue): Record<string, string> {
    return queueAttributes(this.state, queue);
  }

  purge(queueRef: string): void {
    purgeQueue(this.state, queueRef);
  }

  /** The queues whose redrive policy names this one as their dead-letter queue. */
  deadLetterSources(queue: Queue): Queue[] {
    return deadLetterSourceQueues(this.state, queue);
  }

  // ---- messages -----------------------------------------------------------------

  /**
   * Enqueue a message. The change is applied at once; await `durable()` (or use
   * sendMessage) before acknowledging it to a client.
   */
  send(queueRef: string | Queue, input: SendMessageInput, via: string, lineage?: MessageLineage): SendMessageResult {
    const queue = typeof queueRef === 'string' ? this.state.get(queueRef) : queueRef;
    return sendMessage(this.state, queue, input, via, lineage);
  }

  /** send() and wait until it is on disk. */
  async sendMessage(queue: string, input: SendMessageInput, via = 'send', lineage?: MessageLineage): Promise<SendMessageResult> {
    const result = this.send(queue, input, via, lineage);
    await this.durable();
    return result;
  }

  receive(queueRef: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return receiveMessages(this.state, queueRef, options);
  }

  deleteMessage(queueRef: string, receiptHandle: string): void {
    deleteMessage(this.state, queueRef, receiptHandle);
  }

  changeVisibility(queueRef: string, receiptHandle: string, seconds: number): void {
    changeVisibility(this.state, queueRef, receiptHandle, seconds);
  }

  /**
   * Move every message of `sourceRef` (a dead-letter queue) to `destinationRef`, or back to
   * the queue each came from, at once. Receive counts start again at 0.
   */
  moveMessages(sourceRef: string, destinationRef?: string): { moved: number } {
    return moveAllMessages(this.state, sourceRef, destinationRef);
  }

  /** Messages of a queue without receiving them (for `busline dlq show`). */
  peek(queueRef: string, limit = 100): ReceivedMessage[] {
    return peekMessages(this.state, queueRef, limit);
  }

  close(): void {
    this.state.closed = true;
    this.moveTasks.close();
    for (const queue of this.state.queues.values()) {
      queue.stopTimers();
      for (const waiter of [...queue.waiters]) waiter();
    }
  }
}
