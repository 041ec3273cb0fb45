/**
 * Publishing events onto the flow's bus: used by `ctx.publish` inside handlers and, through
 * `createPublisher`, by producers outside handlers (an API, a script).
 *
 * 1. Validate first: `data` is checked against the topic's newest schema; a bad event is the
 *    producer's bug, so it throws PublishValidationError and sends nothing (not even the valid
 *    events of the same call).
 * 2. Fill metadata: `id` (crypto.randomUUID unless given, stable across our own retries),
 *    `correlationId`, `causationId`, `traceparent`, `publishedAt`, `schemaVersion`.
 * 3. Encrypt the fields the topic's schema marks `"x-busline-pii": "encrypt"` (the plaintext was
 *    validated in step 1): one KMS GenerateDataKey per event, AES-256-GCM per field
 *    (pii-envelope.ts, pii-crypto.ts). A failure throws PiiEncryptionError; nothing is sent.
 *    Topics without such fields skip this step and never load the KMS client. The runtime's
 *    ctx.publish takes steps 1 and 3 when the run's events are prepared (SealingPublisher.seal:
 *    parked in a dedupe record, they hold only envelopes) and the rest when they are sent
 *    (sendSealed), once or again by a later attempt, without validating or encrypting again.
 * 4. Size check (of what goes on the wire, ciphertext included): an entry larger than
 *    {@link MAX_ENTRY_BYTES} is a PublishEntryTooLargeError before any call.
 * 5. Batch PutEvents: at most 10 entries and at most MAX_ENTRY_BYTES of entries per call.
 * 6. Retry only what failed: entries with a retryable ErrorCode (throttling, internal) and
 *    calls that failed as a whole with a retryable error, with full-jitter backoff; after
 *    `maxAttempts`, or at once for a non-retryable code, throw PublishFailedEntriesError listing
 *    them. An event counts as published only when EventBridge returned its EventId.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { EventMetadata } from './envelope.ts';
import type { ValidatorTable } from './handler-types.ts';
import { encryptPathsOf, RUNTIME_ENV, type TopicInfo } from './subscription-config.ts';
import { lazyEventBridgeClient, loadEventBridgeModule } from './aws-clients.ts';
import { PublishEntryTooLargeError, PublishFailedEntriesError, PublishTopicError, PublishValidationError, RuntimeOptionsError, toError } from './errors.ts';
import { checkData } from './middleware/validation.ts';
import { fullJitterDelay } from './retry-delay.ts';
import { childTraceparent, formatTraceparent, xrayTraceHeaderOf } from './trace-context.ts';
import { activeTraceparent } from './middleware/tracing.ts';
import { recordSpansModule } from './otel-bridge.ts';
import { checkOptionKeys, positiveInteger, positiveNumber } from './option-checks.ts';
import { createPublishBatcher } from './publish-batcher.ts';
import { checkPiiKey, lazyPiiCrypto } from './pii-encryption.ts';
import type { PiiCrypto } from './pii-crypto.ts';

/**
 * Largest PutEvents entry (Source + DetailType + Detail + Resources, UTF-8; +14 with Time).
 * 256 KB until 2026-01-29, when AWS raised EventBridge event payloads to 1 MB (AWS-FACTS.md;
 * partner docs since speak of "EventBridge's 1 MiB entry cap"). Older AWS pages still say
 * 256 KB. One constant, so one edit follows AWS.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** PutEvents accepts at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;

/** Per-entry error codes worth retrying; any other code is final. */
const RETRYABLE_ENTRY_CODES = new Set(['ThrottlingException', 'InternalFailure', 'InternalException', 'ServiceUnavailable', 'LimitExceededException']);

export interface PublisherOptions {
  /** Topics this publisher may publish: name → { source, latestVersion }. */
  readonly topics: Readonly<Record<string, TopicInfo>>;
  /** The generated validator module's `validators`. */
  readonly validators: ValidatorTable;
  /** @default env BUSLINE_BUS_NAME */
  readonly busName?: string;
  /** @default a client made on first publish, from the environment */
  readonly client?: EventBridgeClient;
  /** Calls per entry, first included. @default 5 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly backoffBaseMs?: number;
  /** @default 5000 */
  readonly backoffMaxMs?: number;
  /**
   * Let concurrent publishAll calls share PutEvents calls: events submitted in the same turn of
   * the event loop (for example by the records of one batch finishing together) go out in as
   * few calls as the limits allow; each call still resolves or throws for its own events only.
   * wrapHandler turns it on for ctx.publish. @default false
   */
  readonly coalesce?: boolean;
  /**
   * The KMS key (id, ARN or alias ARN) that encrypts the fields the topics' schemas mark
   * `"x-busline-pii": "encrypt"`: the flow's `piiKey` (its customer managed key unless set). The
   * caller needs kms:GenerateDataKey on it for those topics (`EventFlow.grantPublish` grants it).
   * Required when a topic has such fields.
   * @default env BUSLINE_PII_KEY
   */
  readonly piiKeyId?: string;
  /** @default a KMS client made on the first publish of a topic with encrypted fields */
  readonly kmsClient?: KMSClient;
}

/** Metadata a caller may set; the rest is filled. */
export interface PublishMetadata {
  /** Producer-assigned id; give the same id when retrying a publish of your own. @default crypto.randomUUID() */
  readonly id?: string;
  /** @default the event's own id (a new conversation) */
  readonly correlationId?: string;
  readonly causationId?: string;
  /** W3C traceparent of the publishing span. @default a new trace */
  readonly traceparent?: string;
}

export interface PublishInput extends PublishMetadata {
  readonly topic: string;
  readonly data: unknown;
}

export interface PublishedEvent {
  readonly topic: string;
  /** metadata.id */
  readonly id: string;
  /** The id EventBridge assigned. */
  readonly eventBridgeId: string;
  readonly metadata: Required<Pick<EventMetadata, 'id' | 'correlationId' | 'publishedAt' | 'schemaVersion' | 'traceparent'>> & EventMetadata;
}

export interface Publisher {
  publish(topic: string, data: unknown, metadata?: PublishMetadata): Promise<PublishedEvent>;
  /** Publishes many events in as few PutEvents calls as the limits allow; all or an error. */
  publishAll(events: readonly PublishInput[]): Promise<PublishedEvent[]>;
}

const OPTION_KEYS = ['topics', 'validators', 'busName', 'client', 'maxAttempts', 'backoffBaseMs', 'backoffMaxMs', 'coalesce', 'piiKeyId', 'kmsClient'] as const;

/** One event ready to send; the send fills `eventBridgeId` (accepted) or `lastError` (not). */
export interface PreparedEntry {
  readonly topic: string;
  readonly metadata: PublishedEvent['metadata'];
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
  eventBridgeId?: string;
  lastError?: { errorCode: string; errorMessage: string };
}

/** An event of a topic this publisher knows. */
interface TopicEvent {
  readonly input: PublishInput;
  readonly info: TopicInfo;
}

/** An event validated, with its metadata filled, not yet sized. */
interface CheckedEvent extends TopicEvent {
  readonly metadata: PublishedEvent['metadata'];
}

/**
 * The publisher the runtime sends a handler's events with: sealing (validating and encrypting)
 * apart from sending, so that the events a run parks in its dedupe record are stored as they go
 * on the wire, and a later send (also a resend by another attempt) sends exactly those.
 */
export interface SealingPublisher extends Publisher {
  /**
   * The events as they go on the wire: validated (PublishValidationError), their encrypted
   * fields sealed (PiiEncryptionError); nothing is sent. Events of topics without such fields
   * come back as they were.
   */
  seal(events: readonly PublishInput[]): Promise<PublishInput[]>;
  /**
   * Sends events `seal` returned, as they are: not validated again, their envelopes not
   * encrypted again. An encrypt field still in plaintext (events parked by a runtime that did not
   * seal before parking) is sealed here, so it never goes on the wire in the clear.
   */
  sendSealed(events: readonly PublishInput[]): Promise<PublishedEvent[]>;
}

export interface RetryPolicy {
  /** Calls per entry, first included. */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The default retry policy of createPublisher (5 calls per entry, 100 ms base, 5 s cap). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseMs: 100, maxMs: 5000 };

export function createPublisher(options: PublisherOptions): Publisher {
  checkOptionKeys('createPublisher', options, OPTION_KEYS);
  if (typeof options.topics !== 'object' || options.topics === null) {
    throw new RuntimeOptionsError('createPublisher: `topics` is required: pass { [topic]: { source, latestVersion } } (SubscriptionConfig.topics has that shape)');
  }
  if (typeof options.validators !== 'object' || options.validators === null) {
    throw new RuntimeOptionsError('createPublisher: `validators` is required: pass the `validators` export of the generated validator module');
  }
  for (const [topic, info] of Object.entries(options.topics)) {
    if (!options.validators[topic]?.[info.latestVersion]) {
      throw new RuntimeOptionsError(`createPublisher: no validator for topic ${topic} v${info.latestVersion}: regenerate the validator module from the schemas folder`);
    }
  }
  if (options.coalesce !== undefined && typeof options.coalesce !== 'boolean') {
    throw new RuntimeOptionsError(`createPublisher: coalesce must be true or false, got ${JSON.stringify(options.coalesce)}`);
  }
  checkPiiKey('createPublisher', options.topics, Object.keys(options.topics), options.piiKeyId);
  // Loaded and made only at the first publish of a topic with encrypted fields.
  const piiKeyId = options.piiKeyId ?? process.env[RUNTIME_ENV.piiKey];
  const piiCrypto = lazyPiiCrypto({ ...(options.kmsClient ? { kmsClient: options.kmsClient } : {}), ...(piiKeyId ? { keyId: piiKeyId } : {}) });
  return openPublisher(options, {
    maxAttempts: positiveInteger('createPublisher', 'maxAttempts', options.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts),
    baseMs: positiveNumber('createPublisher', 'backoffBaseMs', options.backoffBaseMs, DEFAULT_RETRY_POLICY.baseMs),
    maxMs: positiveNumber('createPublisher', 'backoffMaxMs', options.backoffMaxMs, DEFAULT_RETRY_POLICY.maxMs),
  }, piiCrypto);
}

/**
 * Checks `data` against the topic's schema (`version`) for a publish: throws PublishValidationError,
 * which says nothing was published. Shared by ctx.publish (at the call) and the publisher.
 */
export function checkPublishData(validators: ValidatorTable, topic: string, version: number, data: unknown): void {
  const invalid = checkData(validators, topic, version, data, `the ${topic} event to publish`);
  if (invalid) throw new PublishValidationError(`${invalid.message}; nothing was published`, invalid.errors);
}

/**
 * A publisher from options already checked: createPublisher's after its checks, and wrapHandler's
 * for ctx.publish (its config and validators were checked when it was called), so a function's
 * bundle carries no second copy of the option checks. `piiCrypto` seals the fields of topics with
 * `"x-busline-pii": "encrypt"` fields (wrapHandler shares the one it decrypts with); its options
 * piiKeyId and kmsClient are the caller's to apply.
 */
export function openPublisher(options: PublisherOptions, policy: RetryPolicy, piiCrypto: () => Promise<PiiCrypto>): SealingPublisher {
  const { maxAttempts } = policy;
  const getClient = lazyEventBridgeClient(options.client);
  const busName = (): string => {
    const name = options.busName ?? process.env[RUNTIME_ENV.busName];
    if (!name) {
      throw new RuntimeOptionsError(`no event bus to publish to: pass busName, or set ${RUNTIME_ENV.busName} (the constructs set it on every subscription function)`);
    }
    return name;
  };

  function known(input: PublishInput): TopicEvent {
    const info = options.topics[input.topic];
    if (!info) {
      throw new PublishTopicError(`topic ${input.topic} is not one this publisher knows (${Object.keys(options.topics).join(', ') || 'none'}): declare it in the flow and regenerate`);
    }
    return { input, info };
  }

  /** Validates the event (its plaintext); throws before anything is encrypted or sent. */
  function validated(input: PublishInput): TopicEvent {
    const event = known(input);
    checkPublishData(options.validators, input.topic, event.info.latestVersion, input.data);
    return event;
  }

  /** Fills the event's metadata. */
  function withMetadata({ input, info }: TopicEvent): CheckedEvent {
    // globalThis.crypto, not node:crypto: see trace-context.ts.
    const id = input.id ?? crypto.randomUUID();
    const metadata: PublishedEvent['metadata'] = {
      id,
      correlationId: input.correlationId ?? id,
      ...(input.causationId ? { causationId: input.causationId } : {}),
      schemaVersion: info.latestVersion,
      publishedAt: new Date().toISOString(),
      traceparent: input.traceparent ?? activeTraceparent() ?? formatTraceparent(childTraceparent(undefined)),
    };
    return { input, info, metadata };
  }

  /** The event's data as it goes on the wire: its encrypted fields sealed (pii-crypto.ts). */
  async function sealed<T extends TopicEvent>(c: T): Promise<T> {
    const paths = encryptPathsOf(c.info);
    if (!paths) return c;
    const data = await (await piiCrypto()).seal(c.input.topic, c.input.data, paths);
    return { ...c, input: { ...c.input, data } };
  }

  /** The events with their encrypted fields sealed; no KMS module is loaded when no topic has any. */
  function sealedAll<T extends TopicEvent>(events: T[]): Promise<T[]> | T[] {
    return events.some((c) => encryptPathsOf(c.info)) ? Promise.all(events.map(sealed)) : events;
  }

  function prepare({ input, info, metadata }: CheckedEvent): PreparedEntry {
    const id = metadata.id;
    const detail = JSON.stringify({ metadata, data: input.data });
    const bytes = Buffer.byteLength(info.source) + Buffer.byteLength(input.topic) + Buffer.byteLength(detail);
    if (bytes > MAX_ENTRY_BYTES) {
      throw new PublishEntryTooLargeError(
        `the ${input.topic} event ${id} is ${bytes} bytes, over EventBridge's entry limit of ${MAX_ENTRY_BYTES}: put the payload in S3 and publish its key; nothing was published`,
      );
    }
    // The same trace in X-Ray's notation: EventBridge hands it to targets (over SQS as the
    // AWSTraceHeader attribute), so X-Ray and the envelope's traceparent name one trace. It does
    // not count towards the entry's size.
    const traceHeader = xrayTraceHeaderOf(metadata.traceparent);
    return { topic: input.topic, metadata, bytes, entry: { EventBusName: busName(), Source: info.source, DetailType: input.topic, Detail: detail, ...(traceHeader ? { TraceHeader: traceHeader } : {}) } };
  }

  // Coalescing: concurrent publishAll calls of one event-loop turn share PutEvents calls.
  const batcher = options.coalesce
    ? createPublishBatcher<PreparedEntry>(async (entries, settled) => {
        try {
          await putEntries(await getClient(), entries, policy, settled);
        } catch (thrown) {
          // No client or SDK module: every entry not sent fails with the reason (the batcher settles them).
          const error = toError(thrown);
          for (const p of entries) if (p.eventBridgeId === undefined) p.lastError ??= { errorCode: error.name, errorMessage: error.message };
        }
      }, { maxEntries: MAX_ENTRIES_PER_CALL, maxBytes: MAX_ENTRY_BYTES })
    : undefined;

  async function send(prepared: PreparedEntry[]): Promise<void> {
    if (batcher) await batcher.submit(prepared);
    else await putEntries(await getClient(), prepared, policy);
    const error = failedEntriesError(prepared, maxAttempts);
    if (error) throw error;
  }

  /** Sizes and sends events as they go on the wire. */
  async function sendWire(wire: readonly CheckedEvent[]): Promise<PublishedEvent[]> {
    const prepared = wire.map(prepare);
    if (prepared.length > 0) await send(prepared);
    return prepared.map((p) => ({ topic: p.topic, id: p.metadata.id, eventBridgeId: p.eventBridgeId!, metadata: p.metadata }));
  }

  async function publishAll(events: readonly PublishInput[]): Promise<PublishedEvent[]> {
    // An active span's context is read from the OpenTelemetry API, loaded once it is in use.
    await recordSpansModule();
    // Check all before encrypting or sending any: one invalid event means nothing is sent.
    const checked = events.map((e) => withMetadata(validated(e)));
    return sendWire(await sealedAll(checked));
  }

  return {
    publishAll,
    async seal(events) {
      // Check all before encrypting any, as publishAll does.
      return (await sealedAll(events.map(validated))).map((c) => c.input);
    },
    async sendSealed(events) {
      await recordSpansModule();
      return sendWire(await sealedAll(events.map((e) => withMetadata(known(e)))));
    },
    async publish(topic, data, metadata = {}) {
      const [published] = await publishAll([{ ...metadata, topic, data }]);
      return published!;
    },
  };
}

/**
 * Sends `entries` in PutEvents calls (≤ 10 entries, ≤ MAX_ENTRY_BYTES each call, the calls of one
 * attempt in parallel) and resends, with full-jitter backoff, only the entries that failed with a
 * retryable code or in a call that failed retryably. Never throws: each entry ends with
 * `eventBridgeId` or `lastError`, and `settled` hears of it as soon as its outcome is final
 * (so a coalesced caller whose events all went through does not wait for others' retries).
 */
export async function putEntries(
  client: EventBridgeClient,
  entries: readonly PreparedEntry[],
  policy: RetryPolicy,
  settled?: (entry: PreparedEntry) => void,
): Promise<void> {
  const { PutEventsCommand } = await loadEventBridgeModule();
  let pending = entries;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: PreparedEntry[] = [];
    const lastAttempt = attempt >= policy.maxAttempts;
    const finish = (p: PreparedEntry, retryable: boolean): void => {
      if (retryable && !lastAttempt) retry.push(p);
      else settled?.(p);
    };
    await Promise.all(
      chunks(pending).map(async (chunk) => {
        try {
          const out = await client.send(new PutEventsCommand({ Entries: chunk.map((p) => p.entry) }));
          const results = out.Entries ?? [];
          chunk.forEach((p, i) => {
            const r = results[i];
            if (r?.EventId && !r.ErrorCode) {
              p.eventBridgeId = r.EventId;
              p.lastError = undefined;
              settled?.(p);
              return;
            }
            p.lastError = { errorCode: r?.ErrorCode ?? 'MissingResult', errorMessage: r?.ErrorMessage ?? 'EventBridge returned no result for this entry' };
            finish(p, RETRYABLE_ENTRY_CODES.has(p.lastError.errorCode) || !r);
          });
        } catch (thrown) {
          const error = toError(thrown);
          const retryable = isRetryableCallError(thrown);
          for (const p of chunk) {
            p.lastError = { errorCode: error.name, errorMessage: error.message };
            finish(p, retryable);
          }
        }
      }),
    );
    if (retry.length === 0) break;
    await sleep(fullJitterDelay(attempt, policy.baseMs, policy.maxMs));
    pending = retry;
  }
}

/** The error for the entries of `entries` that were not accepted, or undefined when all were. */
export function failedEntriesError(entries: readonly PreparedEntry[], maxAttempts: number): PublishFailedEntriesError | undefined {
  const failed = entries
    .filter((p) => p.eventBridgeId === undefined)
    .map((p) => ({
      topic: p.topic,
      id: p.metadata.id,
      errorCode: p.lastError?.errorCode ?? 'NotSent',
      errorMessage: p.lastError?.errorMessage ?? 'the event was never sent',
    }));
  if (failed.length === 0) return undefined;
  return new PublishFailedEntriesError(
    `${failed.length} of ${entries.length} events were not accepted by EventBridge after up to ${maxAttempts} attempts: ` +
      failed.map((f) => `${f.topic} ${f.id} (${f.errorCode}: ${f.errorMessage})`).join('; '),
    failed,
  );
}

/** Groups entries into PutEvents calls: ≤ 10 entries and ≤ MAX_ENTRY_BYTES in total per call. */
export function chunks<T extends { readonly bytes: number }>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + item.bytes > MAX_ENTRY_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function isRetryableCallError(thrown: unknown): boolean {
  if (typeof thrown !== 'object' || thrown === null) return false;
  const e = thrown as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (e.$retryable) return true;
  if (e.name && (RETRYABLE_ENTRY_CODES.has(e.name) || e.name === 'TimeoutError' || e.name === 'RequestTimeout')) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return e.code === 'ECONNRESET' || e.code === 'ECONNREFUSED' || e.code === 'ETIMEDOUT' || e.code === 'EPIPE';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
