/**
 * dynalite's own modules, loaded through require and typed with the few members the engine
 * uses. dynalite (CommonJS, no type declarations) exposes only an HTTP server factory; its
 * store (`db.create`), per-action validations and actions are plain modules, so the engine
 * builds its own dispatcher on them and adds the actions dynalite lacks (transactions),
 * reusing dynalite's expression parsing, condition checks and update logic instead of
 * re-implementing them.
 */
import { createRequire } from 'node:module';
import { cacheExpressionParses, type ExpressionParser } from './expression-cache.ts';

/** An AWS JSON AttributeValue map as dynalite stores it. */
export type DynaliteItem = Record<string, Record<string, unknown>>;

/** An AWS-shaped error as dynalite builds them: HTTP status and JSON body. */
export interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string };
}

export type Callback<T> = (error: DynaliteError | null | undefined, value?: T) => void;

/** Releases an item lock after the wrapped callback runs. */
export type Releaser = <F extends (...args: never[]) => unknown>(done: F) => F;

export interface ItemDb {
  get(key: string, cb: Callback<DynaliteItem>): void;
  put(key: string, value: DynaliteItem, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
  /** Serialises work on one item key, or (array) on several keys at once. */
  lock(key: string | string[], exec: (release: Releaser) => void): void;
}

export interface IndexDb {
  put(key: string, value: DynaliteItem, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
}

export interface TableDescription {
  readonly TableName: string;
  readonly KeySchema: ReadonlyArray<{ AttributeName: string; KeyType: string }>;
  readonly LocalSecondaryIndexes?: ReadonlyArray<unknown>;
  readonly GlobalSecondaryIndexes?: ReadonlyArray<unknown>;
}

export interface BatchOperation {
  readonly type: 'put' | 'del';
  readonly key: string;
  readonly value?: DynaliteItem;
}

/** What dynalite's `db.create(options)` returns. */
export interface DynaliteStore {
  readonly options: { readonly maxItemSize: number };
  /** The LevelDB every table lives in (keys `item-<table>~<key>`, `index-<type>~<table>~<index>~<key>`). */
  readonly db: { batch(operations: BatchOperation[], cb: Callback<void>): void };
  getTable(name: string, cb: Callback<TableDescription>): void;
  getTable(name: string, checkStatus: boolean, cb: Callback<TableDescription>): void;
  getItemDb(table: string): ItemDb;
  getIndexDb(indexType: string, table: string, index: string): IndexDb;
  readonly lifecycleManager?: { gracefulClose(cb: (error?: Error | null) => void): void };
}

export interface DynaliteStoreOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** A dynalite action: `(store, validated request, callback)`. */
export type Action = (store: DynaliteStore, data: Record<string, unknown>, cb: Callback<Record<string, unknown>>) => void;

export interface ActionValidation {
  readonly types: Record<string, unknown>;
  readonly custom?: (data: Record<string, unknown>, store: DynaliteStore) => string | undefined;
}

interface ValidationsModule {
  /** Coerces and type-checks a request (throws an AWS-shaped SerializationException/ValidationException). */
  checkTypes(data: unknown, types: Record<string, unknown>): Record<string, unknown>;
  /** Value checks and the action's custom checks; parses expressions into `_condition`, `_updates`, `_projection`. */
  checkValidations(data: Record<string, unknown>, types: Record<string, unknown>, custom: ActionValidation['custom'], store: DynaliteStore): void;
}

interface DbModule {
  create(options: DynaliteStoreOptions): DynaliteStore;
  createKey(item: DynaliteItem, table: TableDescription): string;
  validateKey(key: DynaliteItem, table: TableDescription): DynaliteError | null | undefined;
  validateItem(item: DynaliteItem, table: TableDescription): DynaliteError | null | undefined;
  validationError(message: string): DynaliteError;
}

/** require() as from inside dynalite's package: its own modules (`./db`) and its dependencies (`level`). */
export const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));

export const dynaliteDb = requireDynalite('./db') as DbModule;
export const dynaliteValidations = requireDynalite('./validations') as ValidationsModule;

// The validations parse ConditionExpression, FilterExpression and KeyConditionExpression with one
// parser and UpdateExpression with the other, through these module objects: both parse each
// expression once (expression-cache.ts).
cacheExpressionParses(requireDynalite('./db/conditionParser') as ExpressionParser);
cacheExpressionParses(requireDynalite('./db/updateParser') as ExpressionParser);

/** The operations dynalite implements, by their wire names (as in its own index.js). */
export const DYNALITE_OPERATIONS = [
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable', 'DescribeTimeToLive',
  'GetItem', 'ListTables', 'PutItem', 'Query', 'Scan', 'TagResource', 'UntagResource', 'ListTagsOfResource', 'UpdateItem',
  'UpdateTable',
] as const;

const lowerFirst = (name: string): string => name[0]!.toLowerCase() + name.slice(1);

export const dynaliteActions: Readonly<Record<string, Action>> = Object.fromEntries(
  DYNALITE_OPERATIONS.map((op) => [op, requireDynalite(`./actions/${lowerFirst(op)}`) as Action]),
);
export const dynaliteActionValidations: Readonly<Record<string, ActionValidation>> = Object.fromEntries(
  DYNALITE_OPERATIONS.map((op) => [op, requireDynalite(`./validations/${lowerFirst(op)}`) as ActionValidation]),
);

/**
 * Type-checks and validates `input` as a request of `operation`, the way dynalite's HTTP handler
 * does. dynalite's validators assume members they read are there: a null where they expect an
 * object (`"Key": {"pk": null}`, `"Keys": [null]`) makes them throw a TypeError. Such input does
 * not fit the operation's shapes, which DynamoDB answers with a SerializationException (400), so
 * that is what any error of theirs that is not a DynamoDB error becomes.
 */
export function validateRequest(operation: string, input: unknown, store: DynaliteStore): Record<string, unknown> {
  const validation = dynaliteActionValidations[operation]!;
  try {
    const data = dynaliteValidations.checkTypes(input, validation.types);
    dynaliteValidations.checkValidations(data, validation.types, validation.custom, store);
    return data;
  } catch (error) {
    if ((error as DynaliteError).statusCode && (error as DynaliteError).body) throw error;
    throw serializationError(`The request does not fit the shapes of ${operation} (${(error as Error).message}): a member is null or of the wrong type.`);
  }
}

/** DynamoDB's answer to a request body it cannot read as the operation's input. */
export function serializationError(message: string): DynaliteError {
  return Object.assign(new Error(message), { statusCode: 400, body: { __type: 'com.amazon.coral.service#SerializationException', message } });
}
