/**
 * The dedupe store on a DynamoDB table (partition key `pk`, string; TTL attribute
 * `expiresAt`, epoch seconds), as the constructs create it.
 *
 * Item layout:
 *   pk            S  the dedupe key
 *   status        S  IN_PROGRESS | COMPLETED
 *   lockToken     S  random per attempt; complete/release are conditional on it
 *   lockExpiresAt N  epoch ms the IN_PROGRESS lock lapses (removed on COMPLETED)
 *   expiresAt     N  epoch s: the TTL attribute, and the COMPLETED record's expiry
 *   startedAt     N  epoch ms the lock was taken
 *   processedAt   N  epoch ms the handler succeeded (COMPLETED only)
 *
 * The lock is one conditional PutItem with ReturnValuesOnConditionCheckFailure
 * ALL_OLD, so a failed condition hands back the holder in the same call: no
 * read-then-write race. Expiry is in the condition, by the caller's clock, so a
 * record DynamoDB's TTL has not yet deleted (deletion lags by hours) still counts
 * as absent once expired.
 */
import type { DynamoDBClient, DynamoDBClientConfig, AttributeValue, TransactWriteItem, Update } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_REQUEST_HANDLER, loadDynamoDbModule, runtimeDynamoDbClient, type DynamoDbModule } from '../aws-clients.ts';
import { EffectsCanceledError, EffectsRejectedError, transactWrite } from '../effects/transact-write.ts';
import {
  DedupeStoreError,
  type AcquireRequest,
  type AcquireResult,
  type CompleteRequest,
  type DedupeStore,
} from './dedupe-store.ts';

export interface DynamoDbDedupeStoreOptions {
  readonly tableName: string;
  /** A client to share. @default the runtime's container-wide client (`dynamoDb()`), or one made from `clientConfig` */
  readonly client?: DynamoDBClient;
  /**
   * Config for a client of this store's own, created on first use (region, endpoint, credentials...).
   * @default - none: the store uses the runtime's client (SDK defaults from the environment, with 1 s connect and 3 s request timeouts)
   */
  readonly clientConfig?: DynamoDBClientConfig;
}

type Item = Record<string, AttributeValue>;


/** Attempts at taking the lock when the holder vanished between the failed put and the read-back. */
const MAX_ACQUIRE_ATTEMPTS = 3;

const ACQUIRE_CONDITION = 'attribute_not_exists(pk) OR lockExpiresAt < :nowMs OR expiresAt < :nowS';
const OWN_LOCK_CONDITION = 'lockToken = :token AND #status = :inProgress';

export class DynamoDbDedupeStore implements DedupeStore {
  readonly tableName: string;
  #client: Promise<DynamoDBClient> | undefined;
  readonly #clientConfig: DynamoDBClientConfig | undefined;

  constructor(options: DynamoDbDedupeStoreOptions) {
    if (typeof options?.tableName !== 'string' || options.tableName.length < 3) {
      throw new TypeError(
        `DynamoDbDedupeStore: tableName must be the dedupe table's name (3-255 characters; the constructs set ` +
          `BUSLINE_DEDUPE_TABLE), got ${JSON.stringify(options?.tableName)}`,
      );
    }
    this.tableName = options.tableName;
    this.#clientConfig = options.clientConfig;
    if (options.client) this.#client = Promise.resolve(options.client);
  }

  async acquire(key: string, request: AcquireRequest): Promise<AcquireResult> {
    const sdk = await this.#sdk();
    const client = await this.#getClient();
    const token = randomToken();
    const item: Item = {
      pk: { S: key },
      status: { S: 'IN_PROGRESS' },
      lockToken: { S: token },
      lockExpiresAt: { N: String(request.lockExpiresAtMs) },
      // TTL sweeps abandoned locks eventually; until then the condition below sees them as expired.
      expiresAt: { N: String(Math.ceil(request.lockExpiresAtMs / 1000)) },
      startedAt: { N: String(request.nowMs) },
    };
    for (let attempt = 1; attempt <= MAX_ACQUIRE_ATTEMPTS; attempt++) {
      let holder: Item | undefined;
      try {
        await client.send(
          new sdk.PutItemCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: ACQUIRE_CONDITION,
            ExpressionAttributeValues: {
              ':nowMs': { N: String(request.nowMs) },
              ':nowS': { N: String(Math.floor(request.nowMs / 1000)) },
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { outcome: 'acquired', token };
      } catch (error) {
        if (!(error instanceof sdk.ConditionalCheckFailedException)) throw this.#storeError('PutItem', key, error);
        // DynamoDB returns the holder with the failure. Emulators that ignore
        // ReturnValuesOnConditionCheckFailure (dynalite) do not: read it back.
        holder = error.Item ?? (await this.#readBack(sdk, client, key));
      }
      const result = holder && classify(holder, request.nowMs);
      if (result) return result;
      // The holder was deleted or expired between the put and the read-back: try the lock again.
    }
    // Still contended after several attempts: behave as a concurrent delivery and let the record come back.
    return { outcome: 'in-progress', lockExpiresAtMs: request.lockExpiresAtMs };
  }

  async complete(key: string, token: string, request: CompleteRequest, writes?: readonly TransactWriteItem[]): Promise<boolean> {
    const sdk = await this.#sdk();
    const client = await this.#getClient();
    const mark = this.#completion(key, token, request);
    if (writes && writes.length > 0) return this.#completeWith(client, key, mark, writes);
    try {
      await client.send(new sdk.UpdateItemCommand(mark));
      return true;
    } catch (error) {
      if (error instanceof sdk.ConditionalCheckFailedException) return false;
      throw this.#storeError('UpdateItem', key, error);
    }
  }

  /** The handler's writes and the COMPLETED mark (last) in one TransactWriteItems. */
  async #completeWith(client: DynamoDBClient, key: string, mark: Update, writes: readonly TransactWriteItem[]): Promise<boolean> {
    let outcome;
    try {
      outcome = await transactWrite(client, [...writes, { Update: mark }]);
    } catch (error) {
      if (error instanceof EffectsRejectedError) throw error;
      throw this.#storeError('TransactWriteItems', key, error);
    }
    if (outcome.committed) return true;
    // The mark is the last action: its condition failing means our lock was lost.
    if (outcome.reasons[writes.length]?.Code === 'ConditionalCheckFailed') return false;
    throw new EffectsCanceledError(outcome.reasons.slice(0, writes.length));
  }

  #completion(key: string, token: string, request: CompleteRequest): Update & { TableName: string } {
    return {
      TableName: this.tableName,
      Key: { pk: { S: key } },
      UpdateExpression: 'SET #status = :completed, processedAt = :nowMs, expiresAt = :expiresAt REMOVE lockExpiresAt',
      ConditionExpression: OWN_LOCK_CONDITION,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':completed': { S: 'COMPLETED' },
        ':inProgress': { S: 'IN_PROGRESS' },
        ':token': { S: token },
        ':nowMs': { N: String(request.nowMs) },
        ':expiresAt': { N: String(Math.ceil(request.expiresAtMs / 1000)) },
      },
    };
  }

  async release(key: string, token: string): Promise<void> {
    const sdk = await this.#sdk();
    const client = await this.#getClient();
    try {
      await client.send(
        new sdk.DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: key } },
          ConditionExpression: OWN_LOCK_CONDITION,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'IN_PROGRESS' }, ':token': { S: token } },
        }),
      );
    } catch (error) {
      if (error instanceof sdk.ConditionalCheckFailedException) return; // another attempt owns it now
      throw this.#storeError('DeleteItem', key, error);
    }
  }

  async #readBack(sdk: DynamoDbModule, client: DynamoDBClient, key: string): Promise<Item | undefined> {
    try {
      const out = await client.send(
        new sdk.GetItemCommand({ TableName: this.tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      throw this.#storeError('GetItem', key, error);
    }
  }

  /** The store's DynamoDB client (shared by the handler's declared writes). */
  client(): Promise<DynamoDBClient> {
    return this.#getClient();
  }

  /** Loaded on first use, not at module load: a cold start that never reaches a dedupe call (an invalid batch) does not pay for the SDK. */
  #sdk(): Promise<DynamoDbModule> {
    return loadDynamoDbModule();
  }

  #getClient(): Promise<DynamoDBClient> {
    if (this.#clientConfig === undefined) return this.#client ?? runtimeDynamoDbClient();
    this.#client ??= loadDynamoDbModule().then(
      (sdk) => new sdk.DynamoDBClient({ requestHandler: DYNAMODB_REQUEST_HANDLER, ...this.#clientConfig }),
    );
    return this.#client;
  }

  #storeError(operation: string, key: string, cause: unknown): DedupeStoreError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new DedupeStoreError(
      `dedupe store: ${operation} on table "${this.tableName}" for key "${key}" failed (${detail}); ` +
        `the record fails and will be retried, its handler did not run`,
      { cause },
    );
  }
}

/** What a conflicting item means at `nowMs`; undefined when it no longer blocks the lock. */
function classify(item: Item, nowMs: number): AcquireResult | undefined {
  const status = item['status']?.S;
  const expiresAtS = numberOf(item['expiresAt']);
  if (expiresAtS !== undefined && expiresAtS < Math.floor(nowMs / 1000)) return undefined;
  if (status === 'COMPLETED') {
    return {
      outcome: 'completed',
      processedAtMs: numberOf(item['processedAt']) ?? numberOf(item['startedAt']) ?? 0,
      expiresAtMs: (expiresAtS ?? Number.POSITIVE_INFINITY) * 1000,
    };
  }
  const lockExpiresAtMs = numberOf(item['lockExpiresAt']);
  if (lockExpiresAtMs === undefined || lockExpiresAtMs < nowMs) return undefined;
  return { outcome: 'in-progress', lockExpiresAtMs };
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}

function randomToken(): string {
  return globalThis.crypto.randomUUID();
}
