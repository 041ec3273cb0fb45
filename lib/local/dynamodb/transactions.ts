/**
 * TransactWriteItems and TransactGetItems for the engine's DynamoDB (dynalite has neither).
 *
 * Semantics (AWS): 1–100 actions; two actions on one item is a ValidationException; every
 * action's condition is checked before anything is written; one failed condition cancels the
 * whole transaction with TransactionCanceledException, whose CancellationReasons list one entry
 * per action in request order (`None`, `ConditionalCheckFailed` with the item when
 * ReturnValuesOnConditionCheckFailure is ALL_OLD, `ValidationError`).
 *
 * How, on dynalite:
 * - Isolation: every item the transaction touches is locked with dynalite's own per-table item
 *   locks (the ones PutItem/UpdateItem/DeleteItem take), tables in name order and each table's
 *   keys enqueued at once, so concurrent single-item writes and other transactions serialise
 *   with it and two transactions cannot deadlock.
 * - Evaluation: each action runs as dynalite's own PutItem/UpdateItem/DeleteItem action (its
 *   expression parser, condition check and update logic) against a staging view of the store
 *   whose lock is already held and whose writes are collected instead of applied. A
 *   ConditionCheck runs as a DeleteItem whose write is dropped.
 * - Atomicity, also across kill -9: the collected item and index writes go to LevelDB as ONE
 *   batch, which LevelDB applies entirely or not at all (its write-ahead log). No extra round
 *   trip: a transaction costs its reads plus one batch write.
 *
 * Not modelled: ClientRequestToken idempotency (accepted, ignored), consumed capacity, the
 * 4 MB aggregate size limit (each item's 400 KB limit is dynalite's own check), and
 * TransactionConflict (conflicting requests wait on the locks instead).
 */
import {
  dynaliteActions,
  dynaliteDb,
  validateRequest,
  type BatchOperation,
  type DynaliteError,
  type DynaliteItem,
  type DynaliteStore,
  type ItemDb,
  type Releaser,
  type TableDescription,
} from './dynalite-modules.ts';
import { errorName, replyOf, transactionCanceled, validationException, type CancellationReason, type WireReply } from './errors.ts';

export const MAX_TRANSACT_ITEMS = 100;

const WRITE_KINDS = ['ConditionCheck', 'Put', 'Update', 'Delete'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];

/** Which dynalite action evaluates each kind of transaction action. */
const ACTION_OF: Readonly<Record<WriteKind | 'Get', string>> = {
  ConditionCheck: 'DeleteItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Get: 'GetItem',
};

/** One validated action of a transaction, with the item it targets. */
interface PlannedAction {
  readonly kind: WriteKind | 'Get';
  readonly data: Record<string, unknown>;
  readonly table: TableDescription;
  readonly key: string;
  readonly returnOldOnFailure: boolean;
}

/** A request error that rejects the whole call (not a cancellation). */
class RequestRejected extends Error {
  constructor(readonly reply: WireReply) {
    super(String(reply.body['message']));
  }
}

/** Runs a TransactWriteItems: every action applied, or none and the reasons why. */
export async function transactWriteItems(store: DynaliteStore, input: unknown): Promise<WireReply> {
  try {
    const plan = await planActions(store, input, 'write');
    return await withItemLocks(store, plan, async () => {
      const staged = await Promise.all(plan.map((action) => runStaged(store, action)));
      const reasons = staged.map((s, i) => cancellationReason(s, plan[i]!));
      if (reasons.some((r) => r.Code !== 'None')) {
        const internal = staged.find((s) => s.error && !isCancellation(s.error));
        if (internal?.error) return replyOf(internal.error);
        return transactionCanceled(reasons);
      }
      const operations = staged.flatMap((s, i) => (plan[i]!.kind === 'ConditionCheck' ? [] : s.operations));
      if (operations.length > 0) await batch(store, operations);
      return { status: 200, body: {} };
    });
  } catch (error) {
    if (error instanceof RequestRejected) return error.reply;
    return replyOf(error as DynaliteError);
  }
}

export async function transactGetItems(store: DynaliteStore, input: unknown): Promise<WireReply> {
  try {
    const plan = await planActions(store, input, 'get');
    return await withItemLocks(store, plan, async () => {
      const staged = await Promise.all(plan.map((action) => runStaged(store, action)));
      const failed = staged.find((s) => s.error);
      if (failed?.error) return replyOf(failed.error);
      return { status: 200, body: { Responses: staged.map((s) => (s.result?.['Item'] ? { Item: s.result['Item'] } : {})) } };
    });
  } catch (error) {
    if (error instanceof RequestRejected) return error.reply;
    return replyOf(error as DynaliteError);
  }
}

/** Validates the request and each action with dynalite's validations; resolves tables and item keys. */
async function planActions(store: DynaliteStore, input: unknown, mode: 'write' | 'get'): Promise<PlannedAction[]> {
  const items = (input as { TransactItems?: unknown } | null)?.TransactItems;
  if (!Array.isArray(items)) {
    throw new RequestRejected(validationException("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null"));
  }
  if (items.length < 1 || items.length > MAX_TRANSACT_ITEMS) {
    throw new RequestRejected(validationException(
      `1 validation error detected: Value '${items.length} actions' at 'transactItems' failed to satisfy constraint: ` +
        `Member must have length ${items.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_TRANSACT_ITEMS}`}`,
    ));
  }
  const kinds: readonly (WriteKind | 'Get')[] = mode === 'write' ? WRITE_KINDS : ['Get'];
  const tables = new Map<string, Promise<TableDescription>>();
  const seen = new Set<string>();
  const plan: PlannedAction[] = [];
  for (const [index, item] of items.entries()) {
    const present = kinds.filter((k) => (item as Record<string, unknown> | null)?.[k] != null);
    if (present.length !== 1) {
      throw new RequestRejected(validationException(
        mode === 'write'
          ? `TransactItems can only contain one of Check, Put, Update or Delete (action ${index + 1} has ${present.length === 0 ? 'none' : present.join(' and ')})`
          : `TransactItems can only contain Get (action ${index + 1})`,
      ));
    }
    const kind = present[0]!;
    const raw = { ...((item as Record<string, Record<string, unknown>>)[kind]) };
    const returnOld = raw['ReturnValuesOnConditionCheckFailure'];
    if (returnOld !== undefined && returnOld !== 'ALL_OLD' && returnOld !== 'NONE') {
      throw new RequestRejected(validationException(
        `1 validation error detected: Value '${String(returnOld)}' at 'transactItems.${index + 1}.member.${kind[0]!.toLowerCase() + kind.slice(1)}.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
      ));
    }
    if (kind === 'ConditionCheck' && typeof raw['ConditionExpression'] !== 'string') {
      throw new RequestRejected(validationException(`ConditionCheck action ${index + 1} needs a ConditionExpression`));
    }
    const data = validateRequest(ACTION_OF[kind], raw, store);
    const tableName = data['TableName'] as string;
    if (!tables.has(tableName)) tables.set(tableName, getTable(store, tableName));
    const table = await tables.get(tableName)!;
    const keySource = (kind === 'Put' ? data['Item'] : data['Key']) as DynaliteItem;
    const invalid = kind === 'Put' ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
    if (invalid) throw invalid;
    const key = dynaliteDb.createKey(keySource, table);
    const itemId = `${tableName}\u0000${key}`;
    if (seen.has(itemId)) throw new RequestRejected(validationException('Transaction request cannot include multiple operations on one item'));
    seen.add(itemId);
    plan.push({ kind, data, table, key, returnOldOnFailure: returnOld === 'ALL_OLD' });
  }
  return plan;
}

function getTable(store: DynaliteStore, name: string): Promise<TableDescription> {
  return new Promise((resolve, reject) => store.getTable(name, false, (error, table) => (error ? reject(error) : resolve(table!))));
}

/**
 * Holds dynalite's item locks of every planned item while `work` runs. Tables are locked in
 * name order and each table's keys are enqueued in one call, so lock order is global.
 */
async function withItemLocks<T>(store: DynaliteStore, plan: readonly PlannedAction[], work: () => Promise<T>): Promise<T> {
  const byTable = new Map<string, string[]>();
  for (const action of plan) {
    const name = action.table.TableName;
    if (!byTable.has(name)) byTable.set(name, []);
    byTable.get(name)!.push(action.key);
  }
  const releases: Array<() => void> = [];
  try {
    for (const name of [...byTable.keys()].sort()) {
      const itemDb = store.getItemDb(name);
      const keys = byTable.get(name)!;
      const release = await new Promise<Releaser>((resolve) => itemDb.lock(keys.length === 1 ? keys[0]! : keys, resolve));
      releases.push(release(() => {}));
    }
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

interface Staged {
  readonly operations: BatchOperation[];
  /** The item as read before the action (for ALL_OLD on a failed condition). */
  read?: DynaliteItem | undefined;
  result?: Record<string, unknown> | undefined;
  error?: DynaliteError | undefined;
}

/** Runs one action as dynalite's own action on a staging view: writes are collected, not applied. */
function runStaged(store: DynaliteStore, action: PlannedAction): Promise<Staged> {
  const staged: Staged = { operations: [] };
  const staging = stagingStore(store, staged);
  return new Promise((resolve) => {
    dynaliteActions[ACTION_OF[action.kind]]!(staging, action.data, (error, result) => {
      if (error) staged.error = error;
      else staged.result = result;
      resolve(staged);
    });
  });
}

/** The store as one action sees it inside the transaction: locks already held, writes collected. */
function stagingStore(store: DynaliteStore, staged: Staged): DynaliteStore {
  const heldLock = (_key: string | string[], exec: (release: Releaser) => void): void => exec(((done) => done) as Releaser);
  return {
    options: store.options,
    db: store.db,
    getTable: store.getTable,
    getItemDb(table: string): ItemDb {
      const real = store.getItemDb(table);
      const prefix = `item-${table}~`;
      return {
        get(key, cb) {
          real.get(key, (error, item) => {
            staged.read = item ?? undefined;
            cb(error, item);
          });
        },
        ...collectWrites(staged, prefix),
        lock: heldLock,
      };
    },
    getIndexDb(indexType: string, table: string, index: string) {
      const prefix = `index-${indexType.toLowerCase()}~${table}~${index}~`;
      return collectWrites(staged, prefix);
    },
  } as DynaliteStore;
}

/** put/del that record LevelDB operations under `prefix` instead of writing them. */
function collectWrites(staged: Staged, prefix: string): Pick<ItemDb, 'put' | 'del'> {
  return {
    put(key, value, cb) {
      staged.operations.push({ type: 'put', key: prefix + key, value });
      cb(null);
    },
    del(key, cb) {
      staged.operations.push({ type: 'del', key: prefix + key });
      cb(null);
    },
  };
}

function isCancellation(error: DynaliteError): boolean {
  const name = errorName(error);
  return name === 'ConditionalCheckFailedException' || name === 'ValidationException';
}

function cancellationReason(staged: Staged, action: PlannedAction): CancellationReason {
  const error = staged.error;
  if (!error) return { Code: 'None' };
  const name = errorName(error);
  if (name === 'ConditionalCheckFailedException') {
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(action.returnOldOnFailure && staged.read ? { Item: staged.read } : {}),
    };
  }
  if (name === 'ValidationException') return { Code: 'ValidationError', Message: error.body?.message ?? error.message };
  return { Code: name ?? 'InternalError', Message: error.message };
}

function batch(store: DynaliteStore, operations: BatchOperation[]): Promise<void> {
  return new Promise((resolve, reject) => store.db.batch(operations, (error) => (error ? reject(error) : resolve())));
}
