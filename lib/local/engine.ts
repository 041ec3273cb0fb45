/**
 * LocalEngine: the embedded engine. Composes the durable store, SQS queues, EventBridge
 * buses and rules, DynamoDB (dynalite), KMS keys, the lineage journal and the one wire endpoint.
 * See lib/local/README.md.
 *
 * State folder layout:
 *   store/     write-ahead log + snapshots of queue state, EventBridge declarations and KMS keys (lib/local/store)
 *   archive/   every accepted event, per bus (lib/local/eventbridge/archive.ts)
 *   journal/   the lineage journal (lib/local/journal)
 *   dynamodb/  dynalite's LevelDB
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineResources, LocalEngineOptions } from './engine-types.ts';
import { StateStore } from './store/state-store.ts';
import { systemClock, type Clock } from './clock.ts';
import { SqsService } from './sqs/sqs-service.ts';
import { EventArchive } from './eventbridge/archive.ts';
import { applyRetention, checkRetentionDays, DEFAULT_JOURNAL_RETENTION_DAYS, RETENTION_INTERVAL_MS, type RetentionReport } from './retention.ts';
import { EventBusService } from './eventbridge/event-bus-service.ts';
import { Journal } from './journal/journal.ts';
import { DynamoDbBackend } from './wire/dynamodb.ts';
import { WireServer } from './wire/server.ts';
import { engineIamHooks } from './iam/engine-iam-hooks.ts';
import { invokerWire } from './wire/lambda-invoke.ts';
import { sqsActions, toWireError as sqsWireError } from './wire/sqs-actions.ts';
import { eventBridgeActions, toWireError as eventsWireError } from './wire/eventbridge-actions.ts';
import { kmsActions, toWireError as kmsWireError } from './wire/kms-actions.ts';
import { KmsKeys } from './kms/kms-keys.ts';
import { KmsService } from './kms/kms-service.ts';
import { piiEnvelopeOpener } from './kms/pii-envelope-opener.ts';
import { kmsPermissions } from './iam/request-permissions.ts';
import { Chaos } from './chaos/chaos.ts';
import { sqsFaults } from './chaos/sqs-faults.ts';
import { deliversTwice } from './chaos/eventbridge-faults.ts';
import { dynamoDbFaults } from './chaos/dynamodb-faults.ts';
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
import type { TopicPiiPaths } from '../schema/topic-pii.ts';
import { withLineage, type Queue, type StoredMessage } from './sqs/queue.ts';

export type { LocalEngineOptions, EngineResources } from './engine-types.ts';

interface Parts {
  readonly stateDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly store: StateStore;
  readonly sqs: SqsService;
  readonly archive: EventArchive;
  readonly events: EventBusService;
  readonly kms: KmsService;
  readonly journal: Journal;
  readonly dynamodb: DynamoDbBackend | undefined;
  readonly wire: WireServer;
  /** The invoker of rule → Lambda targets, also behind Lambda Invoke (Event) on the wire. */
  readonly lambda: { invoker: LambdaInvoker | undefined };
  /** Days the journal keeps its records; 0 = indefinitely (retention.ts). */
  readonly journalRetentionDays: number;
}

/** Closes the engine's state on disk: its store, archive, journal and DynamoDB (after the wire server). */
async function closeStores(p: Pick<Parts, 'store' | 'archive' | 'journal' | 'dynamodb'>): Promise<void> {
  await p.store.close();
  await p.archive.close();
  await p.journal.close();
  await p.dynamodb?.stop();
}

/**
 * The embedded engine: EventBridge buses and rules, SQS queues, DynamoDB tables and the lineage
 * journal, durable in one state folder and served over the AWS wire protocols on 127.0.0.1.
 * Start it with {@link LocalEngine.start}; see lib/local/README.md.
 */
export class LocalEngine {
  private stopped = false;
  /** Retention's hourly timer, and its application in progress (one at a time). */
  private retentionTimer: NodeJS.Timeout | undefined;
  private retention: Promise<RetentionReport> | undefined;

  private constructor(private readonly parts: Parts) {}

  /** Recover state from stateDir, start DynamoDB and the wire endpoint, run `setup`. */
  static async start(options: LocalEngineOptions): Promise<LocalEngine> {
    const stateDir = resolve(options.stateDir);
    const region = options.region ?? 'us-east-1';
    const accountId = options.accountId ?? '000000000000';
    const journalRetentionDays = checkRetentionDays(options.journalRetentionDays ?? DEFAULT_JOURNAL_RETENTION_DAYS, 'journalRetentionDays');
    await mkdir(stateDir, { recursive: true });

    const store = await StateStore.open(join(stateDir, 'store'), { compactAfterBytes: options.compactLogAfterBytes });
    const clock = options.clock ?? systemClock;
    const journal = await Journal.open(join(stateDir, 'journal'), clock);
    const archive = await EventArchive.open(join(stateDir, 'archive'));
    const sqs = new SqsService(store, { region, accountId, baseUrl: 'http://127.0.0.1', clock });
    const chaos = options.chaos ? new Chaos(options.chaos, (entry) => journal.append(entry)) : undefined;
    const livePolicy = (arn: string): string | undefined => (arn.startsWith('arn:aws:sqs:')
      ? sqs.find(arn)?.attributes['Policy']
      : arn.includes(':event-bus/') ? events.declarations.buses.get(arn.slice(arn.indexOf(':event-bus/') + ':event-bus/'.length))?.policy : undefined);
    const iam = options.iam && engineIamHooks(options.iam, journal, { account: accountId, region }, livePolicy);
    const events: EventBusService = new EventBusService({
      region, accountId, sqs, archive, journal, clock,
      ...(chaos && { deliversTwice: (target, matched) => deliversTwice(chaos, target, matched) }),
      ...(iam && { refuseDelivery: iam.refuseDelivery }),
    });
    const declarations = events.declarations;
    const keys = new KmsKeys({ region, account: accountId, now: () => new Date(clock.now()) });
    await store.recover((record) => {
      const r = record as { t?: unknown };
      if (!sqs.applyRecovered(r) && !keys.applyRecovered(r)) declarations.applyRecovered(r);
    });
    sqs.finishRecovery(options.inFlightOnStart ?? 'release');
    store.begin(function* () {
      yield* sqs.snapshot();
      yield* declarations.snapshot();
      yield* keys.snapshot();
    });
    declarations.attachLog(store);
    keys.attachLog(store);
    const kms = new KmsService(keys);
    journal.pii.openEnvelopesWith(piiEnvelopeOpener(kms));
    sqs.observer = journalObserver(journal);
    // Faults start after recovery: replaying the log must rebuild exactly what was logged.
    if (chaos) sqs.faults = sqsFaults(chaos);

    if (options.lambdaInvoker) events.setLambdaInvoker(options.lambdaInvoker);
    const dynamodb = options.withoutDynamoDb ? undefined : await DynamoDbBackend.start(join(stateDir, 'dynamodb'));
    dynamodb?.onCommitted((action, items) => { journal.append({ kind: 'table.written', action, items }); });
    if (chaos) dynamodb?.injectChaos(dynamoDbFaults(chaos));

    const lambda: Parts['lambda'] = { invoker: options.lambdaInvoker };
    let open!: () => void;
    const ready = new Promise<void>((resolveReady) => (open = resolveReady));
    // A port already taken (or any failure to serve) closes what is open, so the state folder
    // is free again and the process can exit.
    const wire = await WireServer.start(options.port ?? 0, {
      sqs: sqsActions(sqs),
      events: eventBridgeActions(events, chaos),
      sqsError: sqsWireError,
      eventsError: eventsWireError,
      dynamodb,
      kms: {
        actions: kmsActions(kms, accountId),
        error: kmsWireError,
        permissions: (action, input, at) => kmsPermissions(action, input, at, {
          arnOf: (identifier) => keys.findArn(identifier),
          arnOfCiphertext: (blob) => kms.keyOfCiphertext(blob)?.arn,
        }),
      },
      journalQuery: (query) => journal.query(query),
      lambda: invokerWire(() => lambda.invoker, region, accountId),
      ...(iam && { iam: iam.wire }),
      ready,
    }).catch(async (error: unknown) => {
      sqs.close();
      await closeStores({ store, archive, journal, dynamodb });
      throw error;
    });
    sqs.baseUrl = `http://127.0.0.1:${wire.port}`;
    const engine = new LocalEngine({ stateDir, region, accountId, store, sqs, archive, events, kms, journal, dynamodb, wire, lambda, journalRetentionDays });
    try {
      await options.setup?.(engine as EngineResources);
    } catch (error) {
      await engine.stop();
      throw error;
    }
    events.startDeliveries();
    open();
    engine.keepRetention();
    return engine;
  }

  /**
   * Drops what the journal and the archives no longer keep (retention.ts): the journal's records
   * older than `journalRetentionDays`, each bus's archived events older than its archives'
   * RetentionDays, by the engine's clock. The engine does this at start and every hour; call it
   * to apply retention now (after moving a virtual clock, say). Resolves with what was dropped.
   */
  applyRetention(): Promise<RetentionReport> {
    const p = this.parts;
    // One at a time: a call while one runs applies it again after that one, from the time then.
    const run = (this.retention ?? Promise.resolve()).catch(() => undefined).then(() => applyRetention({
      journal: p.journal,
      archive: p.archive,
      archives: p.events.declarations.archives.values(),
      now: p.sqs.clock.now(),
      journalRetentionDays: p.journalRetentionDays,
    }));
    this.retention = run;
    const done = (): void => {
      if (this.retention === run) this.retention = undefined;
    };
    run.then(done, done);
    return run;
  }

  /** Applies retention now, in the background, and every RETENTION_INTERVAL_MS until stop(). */
  private keepRetention(): void {
    const apply = (): void => {
      this.applyRetention().catch((error: unknown) => console.error(`busline engine: applying retention to ${this.parts.stateDir} failed: ${(error as Error).message}`));
    };
    apply();
    this.retentionTimer = setInterval(apply, RETENTION_INTERVAL_MS).unref();
  }

  /** e.g. "http://127.0.0.1:4747": endpoint for every AWS SDK client and `aws --endpoint-url`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.parts.wire.port}`;
  }
  get port(): number {
    return this.parts.wire.port;
  }
  get region(): string {
    return this.parts.region;
  }
  get accountId(): string {
    return this.parts.accountId;
  }
  /** The engine's time (wall time unless a clock was given to start()). */
  get clock(): Clock {
    return this.parts.sqs.clock;
  }
  get stateDir(): string {
    return this.parts.stateDir;
  }
  /** dynalite's own endpoint (the wire endpoint forwards to it; rarely needed directly). */
  get dynamoDbEndpoint(): string | undefined {
    return this.parts.dynamodb?.endpoint;
  }

  /**
   * True while a change waits to be written to disk before its request is answered (a receive,
   * a delete, an accepted event): the engine is in the middle of something that finishes on
   * its own, without its clock moving. A virtual clock's driver waits for it to turn false.
   */
  hasPendingWrites(): boolean {
    return this.parts.store.flushesInFlight > 0;
  }

  /** Stop serving, flush and close the store. Pending long polls resolve empty. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const p = this.parts;
    clearInterval(this.retentionTimer);
    await this.retention?.catch(() => undefined);
    await p.events.stopDeliveries();
    p.sqs.close();
    await p.wire.stop();
    await closeStores(p);
  }

  // ---- EventBridge -------------------------------------------------------
  /** Idempotent. The "default" bus always exists. */
  createBus(name: string): { name: string; arn: string } {
    return this.parts.events.createBus(name);
  }
  /** Create or replace a rule. Throws an EventBridgeError (InvalidEventPatternException) for a bad pattern. */
  putRule(rule: RuleDefinition): { arn: string } {
    return this.parts.events.putRule(rule);
  }
  /** Add or replace targets (by Id) of a rule. */
  putTargets(busName: string, ruleName: string, targets: readonly TargetDefinition[]): void {
    this.parts.events.putTargets(busName, ruleName, targets);
  }
  /**
   * Deletes the buses, rules and targets not named in `declared` (bus → rule → target ids):
   * after a template is applied, the engine's EventBridge declarations are the template's.
   * Returns what was removed.
   */
  retainEventBridgeDeclarations(declared: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>): string[] {
    return this.parts.events.declarations.retainOnly(declared);
  }
  createArchive(archive: ArchiveDefinition): void {
    this.parts.events.createArchive(archive);
  }
  /** Same as PutEvents on the wire: resolves once accepted entries are on disk. */
  /** `options.principal`: who publishes (an ARN), recorded on each accepted event for audit. */
  putEvents(entries: readonly PutEventsRequestEntry[], options: { readonly principal?: string } = {}): Promise<PutEventsResult> {
    return this.parts.events.putEvents(entries, options);
  }
  /** Re-send archived events of a bus with a `replay-name`. */
  replay(options: ReplayOptions): Promise<ReplayResult> {
    return this.parts.events.replay(options);
  }
  setLambdaInvoker(invoker: LambdaInvoker): void {
    this.parts.lambda.invoker = invoker;
    this.parts.events.setLambdaInvoker(invoker);
  }

  // ---- SQS ---------------------------------------------------------------
  /** Create, or update the attributes of, a queue (idempotent; survives restarts). */
  createQueue(name: string, attributes: QueueAttributes = {}): QueueInfo {
    return this.parts.sqs.createQueue(name, attributes);
  }
  /** Throws QueueDoesNotExist (an SqsError) when missing; accepts a name, URL or ARN. */
  queue(nameUrlOrArn: string): QueueInfo {
    return this.parts.sqs.info(this.parts.sqs.get(nameUrlOrArn));
  }
  /** Queue names (without the engine's internal ones). */
  listQueues(): QueueInfo[] {
    return this.parts.sqs.list().map((q) => this.parts.sqs.info(q));
  }
  async sendMessage(queue: string, input: SendMessageInput): Promise<SendMessageResult> {
    return this.parts.sqs.sendMessage(queue, input);
  }
  /** Receive (with long polling) — what an event source mapping polls. */
  async receiveMessages(queue: string, options?: ReceiveOptions): Promise<ReceivedMessage[]> {
    return this.parts.sqs.receive(queue, options);
  }
  async deleteMessage(queue: string, receiptHandle: string): Promise<void> {
    this.parts.sqs.deleteMessage(queue, receiptHandle);
    await this.parts.sqs.durable();
  }
  async changeMessageVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    this.parts.sqs.changeVisibility(queue, receiptHandle, visibilityTimeoutSeconds);
    await this.parts.sqs.durable();
  }
  /** DLQ redrive (StartMessageMoveTask): moves every message of the DLQ back to its source queue(s), or to destination. */
  async moveMessages(sourceQueue: string, destinationQueue?: string): Promise<{ moved: number }> {
    const result = this.parts.sqs.moveMessages(sourceQueue, destinationQueue);
    await this.parts.sqs.durable();
    return result;
  }
  /** Messages on a queue without receiving them (for `busline dlq show`). */
  peekMessages(queue: string, limit?: number): ReceivedMessage[] {
    return this.parts.sqs.peek(queue, limit);
  }
  /** Visible / in flight / delayed counts. */
  queueCounts(queue: string): { visible: number; inFlight: number; delayed: number } {
    return this.parts.sqs.get(queue).counts(this.clock.now());
  }

  // ---- KMS ---------------------------------------------------------------
  /**
   * A symmetric encryption key with this key id: created with a new secret, or (the key id
   * exists) given the description, state and policy, keeping its secret, so what it encrypted
   * before still decrypts. Durable once the next request that waits for the disk answers.
   */
  declareKey(declaration: { keyId: string; description?: string; enabled?: boolean; policy?: string }): { keyId: string; arn: string } {
    const key = this.parts.kms.keys.declareKey(declaration);
    return { keyId: key.keyId, arn: key.arn };
  }
  /** Points the alias (`alias/…`) at the key (key id or ARN), creating or moving it. */
  declareAlias(aliasName: string, keyId: string): void {
    const keys = this.parts.kms.keys;
    keys.putAlias(aliasName, keys.key(keyId).keyId);
  }

  // ---- DynamoDB ----------------------------------------------------------
  /** CreateTable input as in the DynamoDB API; no-op when the table exists. */
  async createTable(input: Record<string, unknown>): Promise<void> {
    const dynamodb = this.parts.dynamodb;
    if (!dynamodb) throw new Error('createTable: this engine was started withoutDynamoDb');
    const { status, body } = await dynamodb.call('CreateTable', input);
    if (status === 200) return;
    const type = String(body['__type'] ?? '');
    if (type.endsWith('#ResourceInUseException')) return;
    throw new Error(`createTable ${String(input['TableName'])}: ${type.split('#').pop()}: ${String(body['message'] ?? body['Message'] ?? '')}`);
  }

  /**
   * Makes the next `times` DynamoDB requests over the wire (only those of `action`, and only
   * those touching `table`, when given) fail with a 500 InternalServerError, as a transient
   * DynamoDB failure does; the AWS SDK retries such errors on its own before its caller sees one.
   * For tests of retry paths.
   */
  injectDynamoDbFaults(times: number, options: { readonly action?: string; readonly table?: string } = {}): void {
    const dynamodb = this.parts.dynamodb;
    if (!dynamodb) throw new Error('injectDynamoDbFaults: this engine was started withoutDynamoDb');
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`injectDynamoDbFaults: times must be a whole number of 1 or more, not ${times}`);
    dynamodb.injectFaults(Array.from({ length: times }, () => ({
      ...(options.action !== undefined ? { action: options.action } : {}),
      ...(options.table !== undefined ? { table: options.table } : {}),
      errorType: 'InternalServerError', status: 500, message: 'Internal server error (injected by a test)',
    })));
  }

  // ---- Journal -----------------------------------------------------------
  /**
   * Append a record (the function runner appends invocation.* records). `event`: the event the
   * record is about, when the caller has it: its PII values are masked in the record (as they
   * are in every record of an event the journal has seen; journal/journal-pii-masking.ts).
   */
  journalAppend(entry: JournalEntry, event?: unknown): JournalRecord {
    return this.parts.journal.append(entry, event);
  }
  /**
   * The topics whose schemas mark fields PII (mask mode), and where in `data`: from here on the
   * journal writes `***` for their values (startLocalApp sets it from the flow manifests).
   */
  setTopicPiiPaths(paths: TopicPiiPaths): void {
    this.parts.journal.pii.setTopicPiiPaths(paths);
  }
  journalQuery(query: JournalQuery = {}): Promise<JournalRecord[]> {
    return this.parts.journal.query(query);
  }
  /** Live records matching query; returns an unsubscribe function. */
  journalSubscribe(query: JournalQuery, onRecord: (record: JournalRecord) => void): () => void {
    return this.parts.journal.subscribe(query, onRecord);
  }
}

/** Journal records for queue activity (the engine's internal delivery queue is left out). */
function journalObserver(journal: Journal) {
  return {
    enqueued(queue: Queue, m: StoredMessage, via: string) {
      if (!queue.internal) journal.write(withLineage({ kind: 'delivery.enqueued', queue: queue.name, messageId: m.id, via }, m.lineage));
    },
    received(queue: Queue, m: StoredMessage, principal: string | undefined) {
      if (queue.internal) return;
      const entry = withLineage({ kind: 'delivery.received' as const, queue: queue.name, messageId: m.id, receiveCount: m.rc }, m.lineage);
      journal.write(principal === undefined ? entry : Object.assign(entry, { principal }));
    },
    deleted(queue: Queue, m: StoredMessage) {
      if (!queue.internal) journal.write(withLineage({ kind: 'delivery.deleted', queue: queue.name, messageId: m.id }, m.lineage));
    },
    deadLettered(queue: Queue, dlq: Queue, m: StoredMessage) {
      journal.write(withLineage({ kind: 'delivery.dead-lettered', queue: queue.name, deadLetterQueue: dlq.name, messageId: m.id, receiveCount: m.rc }, m.lineage));
    },
  };
}
