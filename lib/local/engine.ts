/**
 * LocalEngine: the embedded engine. Composes the durable store, SQS queues, EventBridge
 * buses and rules, DynamoDB (dynalite), the lineage journal and the one wire endpoint.
 * See lib/local/README.md.
 */
import type { LocalEngineOptions } from './engine-types.ts';
import type {
  ArchiveDefinition,
  LambdaInvoker,
  PutEventsRequestEntry,
  PutEventsResult,
  ReplayOptions,
  ReplayResult,
  RuleDefinition,
  TargetDefinition,
} from './eventbridge/types.ts';
import type { QueueAttributes, QueueInfo, ReceiveOptions, ReceivedMessage, SendMessageInput, SendMessageResult } from './sqs/types.ts';
import type { JournalEntry, JournalQuery, JournalRecord } from './journal/types.ts';

export type { LocalEngineOptions, EngineResources } from './engine-types.ts';

const NOT_YET = 'LocalEngine: not implemented yet (skeleton)';

export class LocalEngine {
  /** Recover state from stateDir, start DynamoDB and the wire endpoint. */
  static async start(_options: LocalEngineOptions): Promise<LocalEngine> {
    throw new Error(NOT_YET);
  }

  /** e.g. "http://127.0.0.1:4747": endpoint for every AWS SDK client and `aws --endpoint-url`. */
  get endpoint(): string { throw new Error(NOT_YET); }
  get port(): number { throw new Error(NOT_YET); }
  get region(): string { throw new Error(NOT_YET); }
  get accountId(): string { throw new Error(NOT_YET); }
  get stateDir(): string { throw new Error(NOT_YET); }

  /** Stop serving, flush and close the store. Pending long polls resolve empty. */
  async stop(): Promise<void> { throw new Error(NOT_YET); }

  // ---- EventBridge -------------------------------------------------------
  /** Idempotent. The "default" bus always exists. */
  createBus(_name: string): { name: string; arn: string } { throw new Error(NOT_YET); }
  /** Create or replace a rule. Throws InvalidEventPatternError for a bad pattern. */
  putRule(_rule: RuleDefinition): { arn: string } { throw new Error(NOT_YET); }
  /** Add or replace targets (by Id) of a rule. */
  putTargets(_busName: string, _ruleName: string, _targets: readonly TargetDefinition[]): void { throw new Error(NOT_YET); }
  createArchive(_archive: ArchiveDefinition): void { throw new Error(NOT_YET); }
  /** Same as PutEvents on the wire: resolves once accepted entries are on disk. */
  async putEvents(_entries: readonly PutEventsRequestEntry[]): Promise<PutEventsResult> { throw new Error(NOT_YET); }
  /** Re-send archived events of a bus with a `replay-name`. */
  async replay(_options: ReplayOptions): Promise<ReplayResult> { throw new Error(NOT_YET); }
  setLambdaInvoker(_invoker: LambdaInvoker): void { throw new Error(NOT_YET); }

  // ---- SQS ---------------------------------------------------------------
  /** Create, or update the attributes of, a queue (idempotent; survives restarts). */
  createQueue(_name: string, _attributes?: QueueAttributes): QueueInfo { throw new Error(NOT_YET); }
  /** Throws QueueDoesNotExist (an SqsError) when missing; accepts a name, URL or ARN. */
  queue(_nameUrlOrArn: string): QueueInfo { throw new Error(NOT_YET); }
  async sendMessage(_queue: string, _input: SendMessageInput): Promise<SendMessageResult> { throw new Error(NOT_YET); }
  /** Receive (with long polling) — what an event source mapping polls. */
  async receiveMessages(_queue: string, _options?: ReceiveOptions): Promise<ReceivedMessage[]> { throw new Error(NOT_YET); }
  async deleteMessage(_queue: string, _receiptHandle: string): Promise<void> { throw new Error(NOT_YET); }
  async changeMessageVisibility(_queue: string, _receiptHandle: string, _visibilityTimeoutSeconds: number): Promise<void> { throw new Error(NOT_YET); }
  /** DLQ redrive (StartMessageMoveTask): moves every message of the DLQ back to its source queue(s), or to destination. */
  async moveMessages(_sourceQueue: string, _destinationQueue?: string): Promise<{ moved: number }> { throw new Error(NOT_YET); }
  /** Visible / in flight / delayed counts. */
  queueCounts(_queue: string): { visible: number; inFlight: number; delayed: number } { throw new Error(NOT_YET); }

  // ---- DynamoDB ----------------------------------------------------------
  /** CreateTable input as in the DynamoDB API; no-op when the table exists. */
  async createTable(_input: Record<string, unknown>): Promise<void> { throw new Error(NOT_YET); }

  // ---- Journal -----------------------------------------------------------
  /** Append a record (the function runner appends invocation.* records). */
  journalAppend(_entry: JournalEntry): JournalRecord { throw new Error(NOT_YET); }
  async journalQuery(_query: JournalQuery): Promise<JournalRecord[]> { throw new Error(NOT_YET); }
  /** Live records matching query; returns an unsubscribe function. */
  journalSubscribe(_query: JournalQuery, _onRecord: (record: JournalRecord) => void): () => void { throw new Error(NOT_YET); }
}
