/**
 * AWS SDK clients, loaded on first use with a dynamic import: the SDK is most of a cold start,
 * and a batch where every record succeeds needs neither SQS (no DLQ send, no visibility change)
 * nor EventBridge (nothing published). Bundles mark `@aws-sdk/*` external (the Lambda Node
 * runtime ships SDK v3), so these imports stay dynamic in the bundle too.
 *
 * Clients take their endpoint and region from the environment like any SDK client
 * (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_REGION): the local
 * engine and the tests rely on that.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';

export type SqsModule = typeof import('@aws-sdk/client-sqs');
export type EventBridgeModule = typeof import('@aws-sdk/client-eventbridge');

let sqsModule: Promise<SqsModule> | undefined;
let eventBridgeModule: Promise<EventBridgeModule> | undefined;

export function loadSqsModule(): Promise<SqsModule> {
  return (sqsModule ??= import('@aws-sdk/client-sqs'));
}

export function loadEventBridgeModule(): Promise<EventBridgeModule> {
  return (eventBridgeModule ??= import('@aws-sdk/client-eventbridge'));
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
