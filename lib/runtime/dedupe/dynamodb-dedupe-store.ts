/**
 * The dedupe store on a DynamoDB table (partition key `pk`, string; TTL attribute
 * `expiresAt`, epoch seconds), as the constructs create it.
 *
 * Item layout:
 *   pk            S  the dedupe key
 *   status        S  IN_PROGRESS | PUBLISHING | COMPLETED
 *   lockToken     S  random per attempt; complete/park/release are conditional on it
 *   lockExpiresAt N  epoch ms the lock lapses (removed on COMPLETED)
 *   expiresAt     N  epoch s: the TTL attribute, and the PUBLISHING/COMPLETED record's expiry
 *   startedAt     N  epoch ms the lock was taken
 *   processedAt   N  epoch ms the handler succeeded (COMPLETED only)
 *   parkedEvents  S  PUBLISHING only: the events to send, JSON (removed on COMPLETED)
 *
 * The lock is one conditional PutItem with ReturnValuesOnConditionCheckFailure
 * ALL_OLD, so a failed condition hands back the holder in the same call: no
 * read-then-write race. Expiry is in the condition, by the caller's clock, so a
 * record DynamoDB's TTL has not yet deleted (deletion lags by hours) still counts
 * as absent once expired. The put never overwrites a PUBLISHING record: when its lock
 * lapsed, the lock is taken over with one UpdateItem conditional on the old token, and
 * the new holder gets the parked events to send.
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

const ACQUIRE_CONDITION = 'attribute_not_exists(pk) OR expiresAt < :nowS OR (lockExpiresAt < :nowMs AND #status <> :publishing)';
const OWN_LOCK_CONDITION = 'lockToken = :token AND #status = :inProgress';
const OWN_PARKED_CONDITION = 'lockToken = :token AND #status = :publishing';
const STATUS = { '#status': 'status' } as const;
const IN_PROGRESS: AttributeValue = { S: 'IN_PROGRESS' };
const PUBLISHING: AttributeValue = { S: 'PUBLISHING' };

/** A PUBLISHING record whose lock lapsed: its events wait for whoever takes the lock over. */
interface Parked {
  readonly outcome: 'parked';
  readonly lockToken: string;
  readonly parkedEvents: string;
}

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
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: {
              ':nowMs': { N: String(request.nowMs) },
              ':nowS': { N: String(Math.floor(request.nowMs / 1000)) },
              ':publishing': PUBLISHING,
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
      if (result?.outcome === 'parked') {
        if (await this.#takeOver(sdk, client, key, result, item)) return { outcome: 'acquired', token, parkedEvents: result.parkedEvents };
        continue; // another attempt took it over first: look again
      }
      if (result) return result;
      // The holder was deleted or expired between the put and the read-back: try the lock again.
    }
    // Still contended after several attempts: behave as a concurrent delivery and let the record come back.
    return { outcome: 'in-progress', lockExpiresAtMs: request.lockExpiresAtMs };
  }

  /** Takes the lapsed lock of a PUBLISHING record, if no one else did since it was read. */
  async #takeOver(sdk: DynamoDbModule, client: DynamoDBClient, key: string, parked: Parked, lock: Item): Promise<boolean> {
    try {
      await client.send(new sdk.UpdateItemCommand(this.#update(key, 'SET lockToken = :newToken, lockExpiresAt = :lockExpiresAt, startedAt = :startedAt', OWN_PARKED_CONDITION, {
        ':token': { S: parked.lockToken },
        ':publishing': PUBLISHING,
        ':newToken': lock['lockToken']!,
        ':lockExpiresAt': lock['lockExpiresAt']!,
        ':startedAt': lock['startedAt']!,
      })));
      return true;
    } catch (error) {
      if (error instanceof sdk.ConditionalCheckFailedException) return false;
      throw this.#storeError('UpdateItem', key, error);
    }
  }

  async complete(key: string, token: string, request: CompleteRequest, writes?: readonly TransactWriteItem[]): Promise<boolean> {
    const sdk = await this.#sdk();
    const client = await this.#getClient();
    const mark = this.#completion(key, token, request);
    if (writes && writes.length > 0) return this.#commitWith(client, key, mark, writes);
    try {
      await client.send(new sdk.UpdateItemCommand(mark));
      return true;
    } catch (error) {
      if (error instanceof sdk.ConditionalCheckFailedException) return false;
      throw this.#storeError('UpdateItem', key, error);
    }
  }

  async park(key: string, token: string, request: CompleteRequest, writes: readonly TransactWriteItem[], parkedEvents: string): Promise<boolean> {
    const client = await this.#getClient();
    return this.#commitWith(client, key, this.#update(key, 'SET #status = :publishing, parkedEvents = :events, expiresAt = :expiresAt', OWN_LOCK_CONDITION, {
      ':publishing': PUBLISHING,
      ':inProgress': IN_PROGRESS,
      ':token': { S: token },
      ':events': { S: parkedEvents },
      ':expiresAt': { N: String(Math.ceil(request.expiresAtMs / 1000)) },
    }), writes);
  }

  /** The handler's writes and the record's mark (last: COMPLETED, or PUBLISHING) in one TransactWriteItems. */
  async #commitWith(client: DynamoDBClient, key: string, mark: Update, writes: readonly TransactWriteItem[]): Promise<boolean> {
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

  /** COMPLETED, from our IN_PROGRESS lock or our PUBLISHING one once its events are sent. */
  #completion(key: string, token: string, request: CompleteRequest): Update & { TableName: string } {
    return this.#update(key, 'SET #status = :completed, processedAt = :nowMs, expiresAt = :expiresAt REMOVE lockExpiresAt, parkedEvents', 'lockToken = :token AND (#status = :inProgress OR #status = :publishing)', {
      ':completed': { S: 'COMPLETED' },
      ':inProgress': IN_PROGRESS,
      ':publishing': PUBLISHING,
      ':token': { S: token },
      ':nowMs': { N: String(request.nowMs) },
      ':expiresAt': { N: String(Math.ceil(request.expiresAtMs / 1000)) },
    });
  }

  /** A conditional update of the record under `key` (`#status` names its status). */
  #update(key: string, expression: string, condition: string, values: Item): Update & { TableName: string } {
    return { TableName: this.tableName, Key: { pk: { S: key } }, UpdateExpression: expression, ConditionExpression: condition, ExpressionAttributeNames: STATUS, ExpressionAttributeValues: values };
  }

  async release(key: string, token: string, options?: { readonly parked?: boolean }): Promise<void> {
    const sdk = await this.#sdk();
    const client = await this.#getClient();
    const parked = options?.parked === true;
    try {
      await client.send(
        parked
          // The writes are committed: keep the record and its events, let the lock lapse now.
          ? new sdk.UpdateItemCommand(this.#update(key, 'SET lockExpiresAt = :lapsed', OWN_PARKED_CONDITION, { ':publishing': PUBLISHING, ':token': { S: token }, ':lapsed': { N: '0' } }))
          : new sdk.DeleteItemCommand({
              TableName: this.tableName,
              Key: { pk: { S: key } },
              ConditionExpression: OWN_LOCK_CONDITION,
              ExpressionAttributeNames: STATUS,
              ExpressionAttributeValues: { ':inProgress': IN_PROGRESS, ':token': { S: token } },
            }),
      );
    } catch (error) {
      if (error instanceof sdk.ConditionalCheckFailedException) return; // another attempt owns it now
      throw this.#storeError(parked ? 'UpdateItem' : 'DeleteItem', key, error);
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
function classify(item: Item, nowMs: number): AcquireResult | Parked | undefined {
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
  const live = lockExpiresAtMs !== undefined && lockExpiresAtMs >= nowMs;
  if (status === 'PUBLISHING' && !live) {
    return { outcome: 'parked', lockToken: item['lockToken']?.S ?? '', parkedEvents: item['parkedEvents']?.S ?? '[]' };
  }
  if (!live) return undefined;
  return { outcome: 'in-progress', lockExpiresAtMs };
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  return value?.N === undefined ? undefined : Number(value.N);
}

function randomToken(): string {
  return globalThis.crypto.randomUUID();
}
