/**
 * AWS SDK clients, loaded on first use: the SDK is most of a cold start, and a batch where every
 * record succeeds needs no SQS (no DLQ send, no visibility change); EventBridge is needed only
 * by a subscription that publishes (wrapHandler makes that client in the background at the
 * first batch). Bundles mark `@aws-sdk/*` external (the Lambda Node runtime ships SDK v3).
 *
 * Loaded with `require` (createRequire), not `import()`: the SDK packages are CommonJS, and
 * importing CommonJS from an ES module makes Node lex the package's whole entry file for its
 * export names first (cjs-module-lexer over ~180 KB for a client) and go through the ES loader;
 * measured on the cold-start bench's machine, `import('@aws-sdk/client-eventbridge')` took about
 * twice as long as `require` of it (≈ 30 ms against ≈ 10–15 ms). The module is the same either
 * way (Node shares the CommonJS cache), and `require` finds the Lambda runtime's SDK through
 * NODE_PATH as well.
 *
 * Clients take their endpoint and region from the environment like any SDK client
 * (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_REGION): the local
 * engine and the tests rely on that.
 */
import { createRequire } from 'node:module';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const requireSdk = createRequire(import.meta.url);

export type SqsModule = typeof import('@aws-sdk/client-sqs');
export type EventBridgeModule = typeof import('@aws-sdk/client-eventbridge');
export type DynamoDbModule = typeof import('@aws-sdk/client-dynamodb');

let sqsModule: Promise<SqsModule> | undefined;
let eventBridgeModule: Promise<EventBridgeModule> | undefined;
let dynamoDbModule: Promise<DynamoDbModule> | undefined;

/**
 * require() in a promise. When `require` cannot find the package but `import()` can (a host
 * that resolves ES imports with loader hooks only, like the local engine's function workers),
 * the import() result is used: same module, only slower.
 */
export function requireModule<T>(name: string, viaImport: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(requireSdk(name) as T);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return viaImport();
    return Promise.reject(error);
  }
}

export function loadSqsModule(): Promise<SqsModule> {
  return (sqsModule ??= requireModule<SqsModule>('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs')));
}

export function loadEventBridgeModule(): Promise<EventBridgeModule> {
  return (eventBridgeModule ??= requireModule<EventBridgeModule>('@aws-sdk/client-eventbridge', () => import('@aws-sdk/client-eventbridge')));
}

/** Loaded by the first dedupe lock or commit, not at module load (cold start). */
export function loadDynamoDbModule(): Promise<DynamoDbModule> {
  return (dynamoDbModule ??= requireModule<DynamoDbModule>('@aws-sdk/client-dynamodb', () => import('@aws-sdk/client-dynamodb')));
}

/** Which SDK client packages this process has started to load (for diagnostics and tests). */
export function loadedAwsModules(): { readonly sqs: boolean; readonly eventBridge: boolean } {
  return { sqs: sqsModule !== undefined, eventBridge: eventBridgeModule !== undefined };
}

/** A client made on first call, once; `given` (an option) wins over a default one. */
export function lazyClient<T>(given: T | undefined, make: () => Promise<T>): () => Promise<T> {
  let client: Promise<T> | undefined = given === undefined ? undefined : Promise.resolve(given);
  return () => {
    if (!client) {
      client = make();
      // A failed load (missing package) must not be cached forever.
      client.catch(() => {
        client = undefined;
      });
    }
    return client;
  };
}

export function lazySqsClient(given?: SQSClient): () => Promise<SQSClient> {
  return lazyClient(given, async () => new (await loadSqsModule()).SQSClient({}));
}

export function lazyEventBridgeClient(given?: EventBridgeClient): () => Promise<EventBridgeClient> {
  return lazyClient(given, async () => new (await loadEventBridgeModule()).EventBridgeClient({}));
}

/**
 * The runtime's DynamoDB client calls must fail within the invocation when the table is
 * unreachable (a dedupe store outage fails the record, it must not hang the batch).
 */
export const DYNAMODB_REQUEST_HANDLER = { connectionTimeout: 1_000, requestTimeout: 3_000 } as const;

/**
 * The container's one DynamoDB client, made on first use (endpoint and region from the
 * environment, {@link DYNAMODB_REQUEST_HANDLER} timeouts): the dedupe store, the commit of a
 * handler's ctx.write effects and, through `dynamoDb()`, the handler's own calls share it, so
 * one connection pool and one credential resolution serve them all.
 */
export const runtimeDynamoDbClient: () => Promise<DynamoDBClient> = lazyClient<DynamoDBClient>(undefined, async () =>
  new (await loadDynamoDbModule()).DynamoDBClient({ requestHandler: DYNAMODB_REQUEST_HANDLER }),
);

/**
 * The DynamoDB client the runtime itself uses in this container, for a handler's own calls:
 * one client, one connection pool and one credential resolution for the dedupe lock, the
 * commit of ctx.write and the handler, instead of a second client made at module load.
 * The SDK package loads on the first call (not at import).
 *
 *     const db = await dynamoDb();
 *     await db.send(new GetItemCommand({ ... }));
 *
 * Calls time out like the runtime's own (1 s to connect, 3 s per request); a handler that
 * needs other settings makes its own client. (A `dynamoDbClient` or `dedupe.client` given to
 * wrapHandler is used by the runtime for its own calls; this stays the container's default.)
 */
export function dynamoDb(): Promise<DynamoDBClient> {
  return runtimeDynamoDbClient();
}

/**
 * The `@aws-sdk/client-dynamodb` module (its command classes), loaded the way the runtime loads
 * it: with require, once, on first call. A handler bundled as an ES module that imports the SDK
 * statically makes Node parse the CommonJS package for its export names at module load (its
 * CommonJS export lexer over the client's files); measured on the cold-start bench's machine,
 * `import()` of the DynamoDB client took ≈ 60 ms against ≈ 40 ms for `require`. Types can still
 * be imported statically (`import type`), which costs nothing at run time.
 *
 *     const [db, { UpdateItemCommand }] = await Promise.all([dynamoDb(), dynamoDbSdk()]);
 */
export function dynamoDbSdk(): Promise<DynamoDbModule> {
  return loadDynamoDbModule();
}
