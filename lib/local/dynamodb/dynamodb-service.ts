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

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** DynamoDB's own request size limit. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const DYNALITE_SET: ReadonlySet<string> = new Set(DYNALITE_OPERATIONS);

export class DynamoDbService {
  private constructor(private readonly store: DynaliteStore) {}

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
  handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    readBody(request, MAX_REQUEST_BYTES, (body) => {
      void this.reply(request, body.toString('utf8')).then((reply) => send(response, reply));
    });
  }

  private async reply(request: http.IncomingMessage, body: string): Promise<WireReply> {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith(TARGET_PREFIX)) {
      return { status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown X-Amz-Target ${target}` } };
    }
    if (!body) return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } };
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException', message: 'The request body is not valid JSON' } };
    }
    try {
      return await this.call(target.slice(TARGET_PREFIX.length), input);
    } catch (error) {
      return replyOf(error as DynaliteError);
    }
  }

  /** Waits for pending writes and closes LevelDB. */
  close(): Promise<void> {
    const lifecycle = this.store.lifecycleManager;
    if (!lifecycle) return Promise.resolve();
    return new Promise((resolve) => lifecycle.gracefulClose(() => resolve()));
  }
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
