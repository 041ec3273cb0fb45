/**
 * Message move tasks: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.
 * Rules, by page of the SQS API reference:
 *
 * - "StartMessageMoveTask - Amazon Simple Queue Service": an asynchronous task moving the
 *   messages of a source queue that is the dead-letter queue of other SQS queues; without
 *   DestinationArn they are "redriven back to their respective original source queues";
 *   MaxNumberOfMessagesPerSecond fixes the rate, at most 500 (without it SQS picks the rate:
 *   locally, everything at once); "Only one active message movement task is supported per
 *   queue at any given time."
 * - "ListMessageMoveTasks - Amazon Simple Queue Service": the most recent tasks of a source
 *   queue, MaxResults 1 by default and at most 10. "ListMessageMoveTasksResultEntry": Status
 *   RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED; TaskHandle "only populated for tasks
 *   that are in RUNNING status"; DestinationArn and MaxNumberOfMessagesPerSecond only when the
 *   start request gave them; FailureReason only for a FAILED task. (Locally a cancel takes
 *   effect at once, so a task is never seen CANCELLING.)
 * - "CancelMessageMoveTask - Amazon Simple Queue Service": "A message movement can only be
 *   cancelled when the current status is RUNNING"; messages already moved stay moved; answers
 *   ApproximateNumberOfMessagesMoved.
 *
 * The task handle is a base64-encoded JSON document {"taskId", "sourceArn"}, and the error
 * texts are AWS's, as localstack/localstack records them from AWS (tests/aws/services/sqs/
 * test_sqs_move_task.snapshot.json). Tasks live in memory: the moves they made are logged,
 * the task list is not (after a restart it is empty, and a running task has stopped).
 */
import { randomUUID } from 'node:crypto';
import { SqsError, invalidParameter } from './errors.ts';
import { moveMessage, moveTarget } from './message-move.ts';
import { deadLetterSourceQueues } from './queue-registry.ts';
import type { Queue } from './queue.ts';
import type { SqsState } from './sqs-state.ts';
import type { ClockTimer } from '../clock.ts';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** One entry of ListMessageMoveTasks, as the API spells it. */
export interface MoveTaskEntry {
  readonly TaskHandle?: string;
  readonly Status: MoveTaskStatus;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly MaxNumberOfMessagesPerSecond?: number;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly FailureReason?: string;
  readonly StartedTimestamp: number;
}

export interface StartMoveTaskInput {
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly maxNumberOfMessagesPerSecond?: number;
}

interface MoveTask {
  readonly id: string;
  readonly handle: string;
  readonly source: Queue;
  readonly destinationArn?: string;
  readonly rate?: number;
  readonly started: number;
  /** Ids of the messages to move (those in the source queue when the task started). */
  readonly pending: string[];
  readonly toMove: number;
  status: MoveTaskStatus;
  moved: number;
  failureReason?: string;
  timer?: ClockTimer;
}

const MAX_RATE = 500;
const MAX_LIST_RESULTS = 10;
/** Tasks kept per source queue (ListMessageMoveTasks shows at most 10). */
const KEPT_PER_SOURCE = MAX_LIST_RESULTS;

export class MessageMoveTasks {
  /** Per source queue ARN, oldest first. */
  private readonly tasks = new Map<string, MoveTask[]>();

  constructor(private readonly state: SqsState) {}

  /** StartMessageMoveTask; returns the task handle. */
  start(input: StartMoveTaskInput): string {
    const source = this.state.find(input.sourceArn);
    if (!source || source.internal) throw resourceNotFound('SourceArn');
    if (deadLetterSourceQueues(this.state, source).length === 0) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    const destination = input.destinationArn === undefined ? undefined : this.state.find(input.destinationArn);
    if (input.destinationArn !== undefined && (!destination || destination.internal)) throw resourceNotFound('DestinationArn');
    const rate = input.maxNumberOfMessagesPerSecond;
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE)) {
      throw invalidParameter(`Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be an integer from 1 to ${MAX_RATE}.`);
    }
    const history = this.tasks.get(source.arn) ?? [];
    if (history.some((t) => t.status === 'RUNNING')) {
      throw invalidParameter('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    const now = this.state.clock.now();
    this.state.dropExpired(source, now);
    const id = randomUUID();
    const pending = [...source.messages.keys()];
    const task: MoveTask = {
      id,
      handle: encodeTaskHandle(id, source.arn),
      source,
      ...(input.destinationArn !== undefined && { destinationArn: destination!.arn }),
      ...(rate !== undefined && { rate }),
      started: now,
      pending,
      toMove: pending.length,
      status: 'RUNNING',
      moved: 0,
    };
    history.push(task);
    if (history.length > KEPT_PER_SOURCE) history.shift();
    this.tasks.set(source.arn, history);
    this.step(task);
    return task.handle;
  }

  /** ListMessageMoveTasks: the most recent tasks of the source queue, newest first. */
  list(sourceArn: string, maxResults = 1): MoveTaskEntry[] {
    const source = this.state.find(sourceArn);
    if (!source || source.internal) throw resourceNotFound('SourceArn');
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_RESULTS) {
      throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: must be an integer from 1 to ${MAX_LIST_RESULTS}.`);
    }
    const history = this.tasks.get(source.arn) ?? [];
    return history.slice(-maxResults).reverse().map(entryOf);
  }

  /** CancelMessageMoveTask: stops a running task; answers how many messages it moved. */
  cancel(taskHandle: string): { moved: number } {
    const decoded = decodeTaskHandle(taskHandle);
    if (!decoded) throw invalidParameter('Value for parameter TaskHandle is invalid.');
    const source = this.state.find(decoded.sourceArn);
    if (!source) throw resourceNotFound('SourceArn');
    const task = (this.tasks.get(source.arn) ?? []).find((t) => t.id === decoded.taskId);
    if (!task) throw new SqsError('ResourceNotFoundException', 'Task does not exist.');
    if (task.status !== 'RUNNING') throw invalidParameter(`Only active tasks can be cancelled; this task is ${task.status}.`);
    task.timer?.cancel();
    task.status = 'CANCELLED';
    return { moved: task.moved };
  }

  /** Stops every running task (the engine is closing). */
  close(): void {
    for (const history of this.tasks.values()) for (const task of history) task.timer?.cancel();
  }

  /** Moves the next messages (all of them, or a second's worth at the task's rate). */
  private step(task: MoveTask): void {
    task.timer = undefined;
    if (task.status !== 'RUNNING') return;
    const now = this.state.clock.now();
    if (this.state.queues.get(task.source.name) !== task.source) return this.fail(task, 'AWS.SimpleQueueService.NonExistentQueue');
    const destination = task.destinationArn === undefined ? undefined : this.state.find(task.destinationArn);
    if (task.destinationArn !== undefined && !destination) return this.fail(task, 'AWS.SimpleQueueService.NonExistentQueue');
    let budget = task.rate ?? Infinity;
    while (budget > 0 && task.pending.length > 0) {
      const m = task.source.messages.get(task.pending[0]!);
      if (m) {
        const target = moveTarget(this.state, m, destination);
        // The queue the message came from is gone: the task fails, the message stays.
        if (!target) return this.fail(task, 'AWS.SimpleQueueService.NonExistentQueue');
        moveMessage(this.state, task.source, m, target, now);
        task.moved++;
        budget--;
      }
      task.pending.shift(); // a message deleted or expired meanwhile is not moved
    }
    this.persist();
    if (task.pending.length === 0) task.status = 'COMPLETED';
    else task.timer = this.state.clock.after(1000, () => this.step(task));
  }

  private fail(task: MoveTask, reason: string): void {
    task.status = 'FAILED';
    task.failureReason = reason;
    this.persist();
  }

  /** Moves made between requests are flushed like any other change. */
  private persist(): void {
    this.state.durable().catch(() => undefined); // a write failure is reported by the store to its next caller
  }
}

function entryOf(task: MoveTask): MoveTaskEntry {
  return {
    ...(task.status === 'RUNNING' && { TaskHandle: task.handle }),
    Status: task.status,
    SourceArn: task.source.arn,
    ...(task.destinationArn !== undefined && { DestinationArn: task.destinationArn }),
    ...(task.rate !== undefined && { MaxNumberOfMessagesPerSecond: task.rate }),
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    ...(task.failureReason !== undefined && { FailureReason: task.failureReason }),
    StartedTimestamp: task.started,
  };
}

function resourceNotFound(parameter: 'SourceArn' | 'DestinationArn'): SqsError {
  return new SqsError('ResourceNotFoundException', `The resource that you specified for the ${parameter} parameter doesn't exist.`);
}

export function encodeTaskHandle(taskId: string, sourceArn: string): string {
  return Buffer.from(JSON.stringify({ taskId, sourceArn }), 'utf8').toString('base64');
}

export function decodeTaskHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { taskId?: unknown; sourceArn?: unknown };
    if (typeof parsed.taskId === 'string' && typeof parsed.sourceArn === 'string') return { taskId: parsed.taskId, sourceArn: parsed.sourceArn };
  } catch {
    // not base64 JSON: invalid
  }
  return undefined;
}
