/**
 * Errors of the handler runtime, named `<Area><Thing>Error` and carrying their cause.
 *
 * The one a user throws on purpose is {@link NonRetryableError}: it tells the runtime
 * that retrying cannot help, so the record goes straight to the subscription's DLQ
 * with the reason attached instead of being retried until the queue's redrive.
 */

/** Thrown by a handler (or a record step) when retrying the event can never succeed. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True when `error` says that retrying is useless (a NonRetryableError or subclass). */
export function isNonRetryable(error: unknown): boolean {
  return error instanceof NonRetryableError;
}

/** A wrapHandler / createPublisher option is missing, unknown or out of range. */
export class RuntimeOptionsError extends Error {
  override name = 'RuntimeOptionsError';
}

/** The Lambda event is neither an SQS batch nor an EventBridge event. */
export class EnvelopeUnknownEventError extends Error {
  override name = 'EnvelopeUnknownEventError';
}

/** An SQS record body is not JSON, or not an EventBridge event: it can never succeed. */
export class EnvelopeMalformedBodyError extends NonRetryableError {
  override name = 'EnvelopeMalformedBodyError';
}

/** `data` does not match the topic's schema: never retried. */
export class ValidationSchemaError extends NonRetryableError {
  override name = 'ValidationSchemaError';
  constructor(
    message: string,
    readonly errors: ReadonlyArray<{ instancePath: string; message?: string }>,
  ) {
    super(message);
  }
}

/** The handler was still running when the invocation reached its timeout margin. */
export class TimeoutGuardError extends Error {
  override name = 'TimeoutGuardError';
}

/** ctx.publish named a topic the subscription does not declare in `publishes`, or an unknown topic. */
export class PublishTopicError extends NonRetryableError {
  override name = 'PublishTopicError';
}

/** An event failed its topic's schema before publishing: the producer's bug, nothing was sent. */
export class PublishValidationError extends NonRetryableError {
  override name = 'PublishValidationError';
  constructor(
    message: string,
    readonly errors: ReadonlyArray<{ instancePath: string; message?: string }>,
  ) {
    super(message);
  }
}

/** An event is larger than EventBridge accepts: nothing was sent. */
export class PublishEntryTooLargeError extends NonRetryableError {
  override name = 'PublishEntryTooLargeError';
}

/** Some entries were still rejected by EventBridge after every retry. */
export class PublishFailedEntriesError extends Error {
  override name = 'PublishFailedEntriesError';
  constructor(
    message: string,
    readonly failed: ReadonlyArray<{ readonly topic: string; readonly id: string; readonly errorCode: string; readonly errorMessage: string }>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A field marked `"x-busline-pii": "encrypt"` could not be encrypted before publishing (KMS
 * GenerateDataKey failed, or no key is configured): nothing was published. Retryable: the KMS
 * error may pass (throttling); a configuration error fails every attempt and ends in the DLQ.
 */
export class PiiEncryptionError extends Error {
  override name = 'PiiEncryptionError';
}

/**
 * A received field marked `"x-busline-pii": "encrypt"` can never be decrypted: its envelope is
 * malformed, KMS refused the data key (InvalidCiphertextException: a wrong encryption context or
 * a tampered key; AccessDeniedException; IncorrectKeyException), or AES-GCM refused the
 * ciphertext (tampered, or moved from another field or topic). The record goes to the DLQ with
 * this reason; the message names the topic, the field and the cause, never the value.
 */
export class PiiDecryptionError extends NonRetryableError {
  override name = 'PiiDecryptionError';
  constructor(
    message: string,
    /** The field's path in `data`, dotted (`'*'` for array items). */
    readonly field: string,
    /** What refused it: a KMS error name, `MalformedEnvelope` or `AuthenticationFailed`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Sending a record to the DLQ failed; the record is retried instead of being lost. */
export class DeadLetterSendError extends Error {
  override name = 'DeadLetterSendError';
}

/**
 * A handler's middy middleware answered early (its `before` returned a value, which in middy
 * skips the handler and answers with that value). Busline answers for the records itself, so
 * the invocation fails instead: no record is reported processed without having run.
 */
export class MiddlewareEarlyResponseError extends Error {
  override name = 'MiddlewareEarlyResponseError';
}

/** Converts anything thrown into an Error, keeping the original as cause. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-Error value thrown: ${safeString(thrown)}`, { cause: thrown });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
