/**
 * Busline handler runtime: what runs inside Lambda. Never imports aws-cdk-lib, lib/constructs
 * or lib/local. See wrap-handler.ts (the wrapper and its options), record-pipeline.ts (the
 * per-record step interface, where dedupe plugs in) and publisher.ts (publishing).
 */
export { wrapHandler, type BuslineLambdaHandler } from './wrap-handler.ts';
export { createPublisher, MAX_ENTRY_BYTES, MAX_ENTRIES_PER_CALL, type Publisher, type PublisherOptions, type PublishInput, type PublishMetadata, type PublishedEvent } from './publisher.ts';
export {
  NonRetryableError,
  RuntimeOptionsError,
  EnvelopeUnknownEventError,
  EnvelopeMalformedBodyError,
  ValidationSchemaError,
  TimeoutGuardError,
  PublishTopicError,
  PublishValidationError,
  PublishEntryTooLargeError,
  PublishFailedEntriesError,
  DeadLetterSendError,
  MiddlewareEarlyResponseError,
  PiiEncryptionError,
  PiiDecryptionError,
} from './errors.ts';
export {
  skipRecord,
  retryRecord,
  deferRecord,
  rejectRecord,
  type RecordStep,
  type RecordContext,
  type RecordTransport,
  type RecordVerdict,
  type RecordFailure,
  type RecordOutcome,
  type DeadLetterReason,
  type Deadline,
} from './record-pipeline.ts';
export type { UserHandler, HandlerContext, HandlerEventInfo, Logger, WrapOptions, ValidatorTable, CompiledValidator, TypedHandler, TypedHandlerContext, DefinedHandler, HandlerMiddleware, HandlerLambdaContext, InvocationResponse } from './handler-types.ts';
export { defineHandler } from './define-handler.ts';
export { dynamoDb, dynamoDbSdk, type DynamoDbModule } from './aws-clients.ts';
export type { SubscriptionConfig, RetryConfig, DedupeConfig, DeliveryMode, TopicInfo } from './subscription-config.ts';
export { RUNTIME_ENV } from './subscription-config.ts';
export type { PiiMask } from './pii-mask.ts';
export type { EventMetadata, EnvelopeDetail, EventBridgeEvent } from './envelope.ts';
export type { BatchResponse } from './middleware/partial-batch.ts';
export { DLQ_ATTRIBUTES } from './middleware/dlq-with-reason.ts';
export type { LogLevel, LineSink } from './logger.ts';
export {
  DedupeCoordinator,
  DynamoDbDedupeStore,
  InMemoryDedupeStore,
  DedupeInProgressError,
  DedupeLockLostError,
  DedupeStoreError,
  DedupeKeyError,
  type DedupeStore,
  type DedupeResult,
} from './dedupe/index.ts';
export type { DedupeOptions } from './dedupe/dedupe-options.ts';
// Transactional effects (ctx.write / ctx.publish), docs/dedupe.md.
export { EffectsWriteError, MAX_EFFECT_WRITES } from './effects/record-effects.ts';
export { EffectsCanceledError, EffectsRejectedError } from './effects/transact-write.ts';
