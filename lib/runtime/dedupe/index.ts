/** Dedupe: exactly-once handler effects over at-least-once delivery. See docs/dedupe.md. */
export {
  DedupeCoordinator,
  DedupeInProgressError,
  DedupeLockLostError,
  DEFAULT_COMPLETED_CACHE_SIZE,
  DEFAULT_DEDUPE_TTL_SECONDS,
  type BeginOptions,
  type BeginResult,
  type DedupeCoordinatorOptions,
  type DedupeLease,
  type DedupeResult,
  type DuplicateInfo,
} from './dedupe-coordinator.ts';
export { DedupeKeyError, type DedupeKeyFn, type DedupeKeySource } from './dedupe-key.ts';
export { dedupeKeyFor } from './dedupe-key-path.ts';
export {
  DedupeStoreError,
  type AcquireRequest,
  type AcquireResult,
  type CompleteRequest,
  type DedupeStatus,
  type DedupeStore,
} from './dedupe-store.ts';
export { DynamoDbDedupeStore, type DynamoDbDedupeStoreOptions } from './dynamodb-dedupe-store.ts';
export { InMemoryDedupeStore } from './in-memory-dedupe-store.ts';
export { CompletedKeyCache, type CompletedEntry } from './completed-key-cache.ts';
