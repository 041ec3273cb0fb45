/**
 * The engine's DynamoDB: dynalite's store (LevelDB, on disk under the state folder or in
 * memory) driven in-process. Requests are validated and run with dynalite's own validations
 * and actions, the way its HTTP handler does it (minus signature checks, which it never
 * verified), and what dynalite lacks is added: TransactWriteItems and TransactGetItems
 * (transactions.ts), and ReturnValuesOnConditionCheckFailure on single-item writes
 * (single-item-writes.ts).
 */
import http from 'node:http';
import { crc32 } from 'node:zlib';
import { DYNALITE_OPERATIONS, dynaliteActions, dynaliteDb, validateRequest, type DynaliteError, type DynaliteStore } from './dynalite-modules.ts';
import { replyOf, type WireReply } from './errors.ts';
import { transactGetItems, transactWriteItems } from './transactions.ts';
import { SINGLE_ITEM_WRITES, returnOldOnFailure, writeReturningOldOnFailure } from './single-item-writes.ts';
import { readBody } from '../wire/read-body.ts';
import { committedItems, isWriteAction, type WriteAction } from './committed-writes.ts';
import type { WrittenItem } from '../journal/types.ts';

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** DynamoDB's own request size limit. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const DYNALITE_SET: ReadonlySet<string> = new Set(DYNALITE_OPERATIONS);

/** A failure the next matching request over the wire gets instead of its answer (for tests of retry paths). */
export interface DynamoDbFault {
  /** Only requests of this action (e.g. `TransactWriteItems`); any action when absent. */
  readonly action?: string;
  /** Only requests touching this table (a transaction's, when one of its items does); any table when absent. */
  readonly table?: string;
  /** The error's name, e.g. `InternalServerError`. */
  readonly errorType: string;
  readonly status: number;
  readonly message: string;
}

/** Told of each write request over the wire that succeeded, with the items it committed. */
export type CommittedWritesObserver = (action: WriteAction, items: readonly WrittenItem[]) => void;

/** Decides, per wire request, whether an injected fault answers it instead (the chaos mode). */
export type DynamoDbFaultInjector = (action: string, input: unknown) => WireReply | undefined;
/** Looks at a parsed request before it runs: a reply refuses it (the engine's IAM check). */
export type RequestCheck = (operation: string, input: unknown) => WireReply | undefined;

export class DynamoDbService {
  private readonly faults: DynamoDbFault[] = [];
  /** Key attribute names per table (DescribeTable once; forgotten when a table is created or deleted). */
  private readonly keyNames = new Map<string, Promise<readonly string[]>>();
  /** Set by the engine: journals what each write committed. */
  onCommitted: CommittedWritesObserver | undefined;
  /** The chaos mode's faults, asked for every wire request after the queued test faults. */
  chaos: DynamoDbFaultInjector | undefined;

  private constructor(private readonly store: DynaliteStore) {}

  /** The next request over the wire matching each fault fails with it, each fault once, in the order given. */
  injectFaults(faults: readonly DynamoDbFault[]): void {
    this.faults.push(...faults);
  }

  /** Opens the tables in LevelDB at `path` (created if missing), or in memory when undefined. */
  static open(path: string | undefined): DynamoDbService {
    return new DynamoDbService(dynaliteDb.create({ ...(path && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
  }

  /** Runs one DynamoDB action (wire name, e.g. `PutItem`) on a parsed request body. */
  async call(operation: string, input: unknown): Promise<WireReply> {
    if (operation === 'TransactWriteItems') return transactWriteItems(this.store, input);
    if (operation === 'TransactGetItems') return transactGetItems(this.store, input);
    if (!DYNALITE_SET.has(operation)) {
      return { status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException', message: `The local DynamoDB does not implement ${operation}` } };
    }
    const returnOld = SINGLE_ITEM_WRITES.has(operation) ? returnOldOnFailure(input) : false;
    if (typeof returnOld === 'object') return returnOld;
    let data: Record<string, unknown>;
    try {
      data = validateRequest(operation, input ?? {}, this.store);
    } catch (error) {
      return replyOf(error as DynaliteError);
    }
    if (returnOld) return writeReturningOldOnFailure(this.store, operation, data);
    return new Promise((resolve) => {
      dynaliteActions[operation]!(this.store, data, (error, result) => resolve(error ? replyOf(error) : { status: 200, body: result ?? {} }));
    });
  }

  /** Serves one HTTP request of the DynamoDB JSON protocol (the body not yet read). */
  handle(request: http.IncomingMessage, response: http.ServerResponse, check?: RequestCheck): void {
    readBody(request, MAX_REQUEST_BYTES, (body) => {
      void this.reply(request, body.toString('utf8'), check).then((reply) => send(response, reply));
    });
  }

  private async reply(request: http.IncomingMessage, body: string, check: RequestCheck | undefined): Promise<WireReply> {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith(TARGET_PREFIX)) {
      return { status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown X-Amz-Target ${target}` } };
    }
    if (!body) return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException', message: 'The request body is empty: a DynamoDB request is a JSON object.' } };
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException', message: 'The request body is not valid JSON' } };
    }
    const operation = target.slice(TARGET_PREFIX.length);
    const refused = check?.(operation, input);
    if (refused) return refused;
    const fault = this.takeFault(operation, input);
    // DynamoDB's JSON error shape, `__type` naming the error (DynamoDB Developer Guide, "Error
    // handling with DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
    if (fault) return { status: fault.status, body: { __type: `com.amazonaws.dynamodb.v20120810#${fault.errorType}`, message: fault.message } };
    const injected = this.chaos?.(operation, input);
    if (injected) return injected;
    let reply: WireReply;
    try {
      reply = await this.call(operation, input);
    } catch (error) {
      return replyOf(error as DynaliteError);
    }
    if (operation === 'CreateTable' || operation === 'DeleteTable') this.keyNames.clear();
    const observer = this.onCommitted;
    if (observer && reply.status === 200 && isWriteAction(operation)) {
      const items = await committedItems(operation, input, reply.body, (table) => this.keyNamesOf(table));
      if (items.length > 0) observer(operation, items);
    }
    return reply;
  }

  private keyNamesOf(table: string): Promise<readonly string[]> {
    let names = this.keyNames.get(table);
    if (!names) {
      names = this.call('DescribeTable', { TableName: table }).then(({ body }) => {
        const schema = (body.Table as { KeySchema?: Array<{ AttributeName: string; KeyType: string }> } | undefined)?.KeySchema ?? [];
        return [...schema].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0)).map((k) => k.AttributeName);
      });
      this.keyNames.set(table, names);
    }
    return names;
  }

  private takeFault(operation: string, input: unknown): DynamoDbFault | undefined {
    if (this.faults.length === 0) return undefined;
    const tables = tablesOf(input);
    const at = this.faults.findIndex((f) => (f.action === undefined || f.action === operation) && (f.table === undefined || tables.has(f.table)));
    return at < 0 ? undefined : this.faults.splice(at, 1)[0];
  }

  /** Waits for pending writes and closes LevelDB. */
  close(): Promise<void> {
    const lifecycle = this.store.lifecycleManager;
    if (!lifecycle) return Promise.resolve();
    return new Promise((resolve) => lifecycle.gracefulClose(() => resolve()));
  }
}

/** Tables a request names: its TableName, a transaction's items' and a batch's RequestItems keys. */
export function tablesOf(input: unknown): Set<string> {
  const tables = new Set<string>();
  if (typeof input !== 'object' || input === null) return tables;
  const request = input as { TableName?: unknown; TransactItems?: unknown; RequestItems?: unknown };
  if (typeof request.TableName === 'string') tables.add(request.TableName);
  if (Array.isArray(request.TransactItems)) {
    for (const item of request.TransactItems) {
      for (const op of Object.values((item ?? {}) as Record<string, { TableName?: unknown }>)) if (typeof op?.TableName === 'string') tables.add(op.TableName);
    }
  }
  if (typeof request.RequestItems === 'object' && request.RequestItems !== null) for (const t of Object.keys(request.RequestItems)) tables.add(t);
  return tables;
}

function send(response: http.ServerResponse, reply: WireReply): void {
  const text = JSON.stringify(reply.body);
  response.statusCode = reply.status;
  response.setHeader('content-type', CONTENT_TYPE);
  response.setHeader('x-amzn-requestid', globalThis.crypto.randomUUID());
  response.setHeader('x-amz-crc32', String(crc32(text)));
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
}
