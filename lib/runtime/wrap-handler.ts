/**
 * wrapHandler: a plain `(data, ctx) => Promise<void>` becomes a Lambda handler for SQS batches
 * (queue and ordered delivery) and bare EventBridge events (direct delivery).
 *
 * Invocation level (middy, in `use` order; `after` hooks run in reverse):
 *   timeout-guard → metrics → envelope → [handler middlewares] → partial-batch → backoff → dlq-with-reason → [batch loop]
 * so after the loop: DLQ sends first (a failed send turns into a retry), then visibility
 * changes for retries, then the response, then the handler's own middlewares' afters (they
 * read the response, they cannot change it), then the EMF line, then the guard's timer is
 * cleared. The handler middlewares are those it took with defineHandler(fn).use(...); where
 * they sit and why: middleware/handler-middlewares.ts.
 * Record level (record-pipeline.ts), for each record (up to recordConcurrency records of a
 * queue batch at once; ordered batches one record after another, see batch-processor.ts):
 *   envelope decode → decryption of "x-busline-pii": "encrypt" fields → tracing → validation → dedupe (or, dedupe off, effects) → options.recordSteps → user handler
 * The handler's ctx.publish / ctx.write effects are applied by the dedupe (or effects) step's
 * `after`: the writes committed (with the dedupe record), then the events sent (docs/dedupe.md).
 * After each failed record the attempt limit counts the attempt in the flow's table and
 * dead-letters the record once its maxAttempts are used up (attempts/attempt-limit.ts).
 *
 * Options (explicit option > environment variable > default):
 *
 * | option           | env                        | default   |
 * |------------------|----------------------------|-----------|
 * | busName          | BUSLINE_BUS_NAME           | (none: publish throws) |
 * | dlqUrl           | BUSLINE_DLQ_URL            | (none: rejected records are retried) |
 * | timeoutMarginMs  | BUSLINE_TIMEOUT_MARGIN_MS  | 1000      |
 * | logLevel         | BUSLINE_LOG_LEVEL          | info      |
 * | metricsNamespace | BUSLINE_METRICS_NAMESPACE  | Busline   |
 * | dedupe           | BUSLINE_DEDUPE_TABLE (table) | on unless config.dedupe is false; see docs/dedupe.md |
 * | recordConcurrency | BUSLINE_RECORD_CONCURRENCY | 10 (queue delivery; ordered is always 1) |
 * | piiKeyId         | BUSLINE_PII_KEY            | (none: publishing a topic with encrypted fields is refused at load) |
 * | recordSteps, output, sqsClient, eventBridgeClient, kmsClient | — | [], stdout, lazily made clients |
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { UserHandler, WrapOptions } from './handler-types.ts';
import type { SubscriptionConfig } from './subscription-config.ts';
import { RUNTIME_ENV } from './subscription-config.ts';
import { lazyEventBridgeClient, lazySqsClient, runtimeDynamoDbClient } from './aws-clients.ts';
import { createBatchProcessor } from './batch-processor.ts';
import { PiiEncryptionError, PublishTopicError, RuntimeOptionsError } from './errors.ts';
import { checkWrapOptions } from './wrap-options-check.ts';
import { invocationState, type BuslineRequest, type InvocationState } from './invocation.ts';
import { createLogger, LOG_LEVELS, stdoutSink, type LogLevel } from './logger.ts';
import { integerOption, numberOption, stringOption } from './option-checks.ts';
import { checkPublishData, DEFAULT_RETRY_POLICY, openPublisher, type SealingPublisher } from './publisher.ts';
import { wrapperPiiCrypto } from './pii-encryption.ts';
import { piiMaskOf, type PiiMaskOf } from './pii-values.ts';
import type { RecordContext, RecordStep } from './record-pipeline.ts';
import { backoffMiddleware } from './middleware/backoff.ts';
import { dlqWithReasonMiddleware, sendToDlq, type DlqOptions } from './middleware/dlq-with-reason.ts';
import { envelopeMiddleware } from './middleware/envelope.ts';
import { metricsMiddleware } from './middleware/metrics.ts';
import { DEFAULT_METRICS_NAMESPACE } from './metric-names.ts';
import { partialBatchMiddleware, type BatchResponse } from './middleware/partial-batch.ts';
import { timeoutGuardMiddleware } from './middleware/timeout-guard.ts';
import { traceparentOf, tracingStep } from './middleware/tracing.ts';
import { traceExportMiddleware, traceExportRequested } from './trace-export-loader.ts';
import { validationStep } from './middleware/validation.ts';
import { acceptedVersionsCheck } from './middleware/accepted-versions.ts';
import { createDedupeStep } from './dedupe/dedupe-options.ts';
import { checkHandler, takeHandlerParts } from './define-handler.ts';
import { handlerMiddlewares } from './middleware/handler-middlewares.ts';
import { EffectsRegistry, type EffectsRuntime, type PendingPublish } from './effects/record-effects.ts';
import { effectsStep } from './effects/effects-step.ts';
import { publishedEventId } from './effects/event-ids.ts';
import { dynamoDbAttemptLedger } from './attempts/attempt-ledger.ts';
import { attemptLimit } from './attempts/attempt-limit.ts';
import type { PublishInput } from './publisher.ts';

/**
 * Records of a standard-queue batch in flight at once: a batch of 10 (the SQS default) runs
 * all at once, a larger batch 10 at a time, so a big batch does not open hundreds of
 * connections at once.
 */
const DEFAULT_RECORD_CONCURRENCY = 10;

/** The Lambda handler: a partial batch response for SQS batches, nothing for a direct event. */
export type BuslineLambdaHandler = (event: unknown, context: Context) => Promise<BatchResponse | null | undefined>;

export function wrapHandler<TData = unknown>(userHandler: UserHandler<TData>, options: WrapOptions): BuslineLambdaHandler {
  const where = `wrapHandler(${typeof options?.config?.subscription === 'string' ? options.config.subscription : '?'})`;
  const { config, recordSteps } = checkWrapOptions(where, userHandler, options);
  // A hand-written entry may be given any config: it has every feature, and its options choose.
  return assembleHandler(where, userHandler, options, config, recordSteps, {
    commitStep: (_where, _config, effects, client) => createDedupeStep(where, config, options.dedupe, effects) ?? effectsStep({ effects, client }),
    piiMaskOf,
    piiCrypto: wrapperPiiCrypto,
    acceptedVersions: acceptedVersionsCheck,
  });
}

/**
 * Makes the record step that commits a handler's effects (its writes, then its events): the
 * dedupe step (dedupe/dedupe-options.ts generatedDedupeStep, or generatedKeyPathDedupeStep for a
 * dedupe keyPath) or, dedupe off, the effects step (effects/effects-step.ts generatedEffectsStep).
 */
export type CommitStepOf = (where: string, config: SubscriptionConfig, effects: EffectsRuntime, client: () => Promise<DynamoDBClient>) => RecordStep;

/**
 * The runtime's parts that only some configs use. wrapHandler has them all; a generated entry
 * imports those its subscription's config uses (lib/constructs/bundler.ts featureImports) and
 * hands them to wrapGeneratedHandler, so that a bundle carries no code of the others.
 */
export interface RuntimeFeatures {
  readonly commitStep: CommitStepOf;
  /** For a subscription with a topic whose schema marks `"x-busline-pii"` fields: finds a record's values to mask. */
  readonly piiMaskOf?: PiiMaskOf;
  /** For a subscription with a topic whose schema marks `"x-busline-pii": "encrypt"` fields: the field crypto. */
  readonly piiCrypto?: typeof wrapperPiiCrypto;
  /** For a subscription whose config has acceptsVersions: the check of an event's schema version. */
  readonly acceptedVersions?: typeof acceptedVersionsCheck;
}

/**
 * wrapHandler for the entry the constructs generate (lib/constructs/bundler.ts), whose only
 * options are the subscription's config and validators, both generated at synth from the
 * flow's declaration and schemas (config checked there with wrapHandler's check). So the bundle
 * carries no second check of them, nor of options it is never given; what comes from the
 * environment (tables, DLQ, bus, KMS key, log level) is still checked at cold start.
 * `features` are the modules the entry imported for that config (RuntimeFeatures).
 */
export function wrapGeneratedHandler<TData = unknown>(userHandler: UserHandler<TData>, options: Pick<WrapOptions, 'config' | 'validators'>, features: RuntimeFeatures): BuslineLambdaHandler {
  const config = options.config;
  const where = `wrapHandler(${config.subscription})`;
  checkHandler(where, userHandler);
  return assembleHandler(where, userHandler, options, config, [], features);
}

function assembleHandler<TData>(
  where: string,
  userHandler: UserHandler<TData>,
  options: WrapOptions,
  config: SubscriptionConfig,
  recordSteps: readonly RecordStep[],
  features: RuntimeFeatures,
): BuslineLambdaHandler {
  // A handler from defineHandler: the function it was given (called per record) and the middy
  // middlewares it took with use() (run per invocation); a plain function: itself, none.
  const { handler: recordHandler, middlewares } = takeHandlerParts(userHandler);
  const registry = new EffectsRegistry();
  const effects: EffectsRuntime = { registry, prepare: (record, idBase, publishes) => prepareEvents(record, idBase, publishes), send: (events) => sendEvents(events) };
  const dynamoDbClient = options.dynamoDbClient ? () => Promise.resolve(options.dynamoDbClient!) : runtimeDynamoDbClient;
  const commitStep = features.commitStep(where, config, effects, dynamoDbClient);
  const logLevel = stringOption(where, 'logLevel', options.logLevel, 'BUSLINE_LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new RuntimeOptionsError(`${where}: logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  if (options.output !== undefined && typeof options.output !== 'function') throw new RuntimeOptionsError(`${where}: output must be a function (line: string) => void`);
  const sink = options.output ?? stdoutSink;
  const recordConcurrency = integerOption(where, 'recordConcurrency', options.recordConcurrency, 'BUSLINE_RECORD_CONCURRENCY', DEFAULT_RECORD_CONCURRENCY);
  const timeoutMarginMs = numberOption(where, 'timeoutMarginMs', options.timeoutMarginMs, 'BUSLINE_TIMEOUT_MARGIN_MS', 1000);
  const metricsNamespace = stringOption(where, 'metricsNamespace', options.metricsNamespace, 'BUSLINE_METRICS_NAMESPACE', DEFAULT_METRICS_NAMESPACE)!;
  const dlqUrl = stringOption(where, 'dlqUrl', options.dlqUrl, RUNTIME_ENV.dlqUrl);
  const busName = stringOption(where, 'busName', options.busName, RUNTIME_ENV.busName);
  const piiKeyId = stringOption(where, 'piiKeyId', options.piiKeyId, RUNTIME_ENV.piiKey);
  // "x-busline-pii": "encrypt" fields: one KMS client for encrypting what the handler publishes and
  // decrypting what it receives, loaded with its module only for the first such event. None for
  // a generated entry whose topics have no such fields: it has nothing to seal or open.
  const piiCrypto = features.piiCrypto?.(where, config, piiKeyId, options.kmsClient);

  const logger = createLogger(logLevel, sink, { flow: config.flow, subscription: config.subscription });
  const sqsClient = lazySqsClient(options.sqsClient);

  // Only the topics this subscription publishes; made on first send.
  let publisher: SealingPublisher | undefined;
  const publishTopics = Object.fromEntries(config.publishes.map((t) => [t, config.topics[t]!]));
  // ctx.publish checks the event now and defers the send until the handler succeeded
  // (the dedupe or effects step sends it, before committing the writes).
  const publish = async (record: RecordContext, topic: string, data: unknown): Promise<void> => {
    if (!config.publishes.includes(topic)) {
      throw new PublishTopicError(`subscription ${config.subscription} may not publish ${topic}: add it to the subscription's \`publishes\` (it publishes ${config.publishes.join(', ') || 'nothing'})`);
    }
    checkPublishData(options.validators, topic, publishTopics[topic]!.latestVersion, data);
    registry.for(record).publishes.push({ topic, data });
  };
  // One EventBridge client for the publisher, made ahead of the first send (see runBatch).
  const eventBridgeClient = lazyEventBridgeClient(options.eventBridgeClient);
  // Options checked above (config, validators): no second check in the bundle.
  const publisherOf = async (): Promise<SealingPublisher> => {
    const client = await eventBridgeClient();
    return (publisher ??= openPublisher({
      topics: publishTopics,
      validators: options.validators,
      ...(busName ? { busName } : {}),
      client,
      // The records of a batch finishing together share PutEvents calls (publish-batcher.ts).
      coalesce: true,
    }, DEFAULT_RETRY_POLICY, piiCrypto ?? noFieldCrypto));
  };
  // Sealed when prepared, sent as sealed: events parked in a dedupe record hold no plaintext of
  // encrypted fields, and a resend puts the parked bytes on the wire unchanged.
  const prepareEvents = async (record: RecordContext, idBase: string, publishes: readonly PendingPublish[]): Promise<PublishInput[]> => {
    const traceparent = traceparentOf(record, publishes.map((p) => p.topic));
    return (await publisherOf()).seal(publishes.map((p, ordinal) => ({
      topic: p.topic,
      data: p.data,
      id: publishedEventId(idBase, p.topic, ordinal),
      correlationId: record.correlationId,
      causationId: record.eventId,
      ...(traceparent ? { traceparent } : {}),
    })));
  };
  const sendEvents = async (events: readonly PublishInput[]): Promise<void> => {
    await (await publisherOf()).sendSealed(events);
  };
  const write = (record: RecordContext, items: readonly TransactWriteItem[]): void => registry.for(record).addWrites(items);
  // Failed attempts are counted in the flow's table (the dedupe table: the constructs set it on
  // every subscription, dedupe on or off); without one, attempts are the SQS receive count.
  const dedupeOption = options.dedupe === false ? undefined : options.dedupe;
  const attemptsTable = stringOption(where, 'dedupe.tableName', dedupeOption?.tableName, RUNTIME_ENV.dedupeTable);
  const attemptsClient = dedupeOption?.client ? () => Promise.resolve(dedupeOption.client!) : dynamoDbClient;
  const countAttempt = attemptLimit({
    subscription: config.subscription,
    maxAttempts: config.retry.maxAttempts,
    ledger: attemptsTable === undefined ? undefined : dynamoDbAttemptLedger(attemptsTable, attemptsClient),
    logger,
  });

  const flowTopics = new Set(Object.keys(options.validators));
  const checkVersion = config.acceptsVersions && features.acceptedVersions?.(config.acceptsVersions, options.validators);
  const steps: RecordStep[] = [tracingStep(), validationStep(options.validators, checkVersion), commitStep, ...recordSteps];
  const dlqOptions: DlqOptions = { subscription: config.subscription, dlqUrl, sqsClient, logger };
  const processBatch = createBatchProcessor({
    config,
    steps,
    userHandler: recordHandler as UserHandler<unknown>,
    logger,
    flowTopics,
    publish,
    write,
    concurrency: recordConcurrency,
    countAttempt,
    ...(piiCrypto ? { openEncrypted: async (topic: string, data: unknown, paths: ReadonlyArray<readonly string[]>) => (await piiCrypto()).open(topic, data, paths) } : {}),
    ...(features.piiMaskOf ? { piiMaskOf: features.piiMaskOf } : {}),
    ...(config.delivery === 'ordered' ? { sendDeadLetterNow: (result) => sendToDlq([result], dlqOptions) } : {}),
  });

  // Middy's own early-timeout race would throw and fail the whole batch: the timeout guard
  // middleware does it per record instead.
  // Span export only when the environment configures an exporter (trace-export.ts): otherwise
  // not even the middleware is there.
  const handler = middy(noopHandler, { timeoutEarlyInMillis: 0 })
    .use(traceExportRequested(process.env) ? [traceExportMiddleware(process.env, logger)] : [])
    .use(timeoutGuardMiddleware(timeoutMarginMs))
    .use(metricsMiddleware({ namespace: metricsNamespace, flow: config.flow, subscription: config.subscription, sink, logger }))
    .use(envelopeMiddleware())
    .use(handlerMiddlewares(middlewares, logger))
    .use(partialBatchMiddleware())
    .use(backoffMiddleware({ retry: config.retry, sqsClient, logger }))
    .use(dlqWithReasonMiddleware(dlqOptions));

  // The batch loop needs the invocation state, which lives on middy's request: run it as the
  // innermost `before` so it sees the state the envelope and guard middlewares prepared, and
  // the Lambda context as every other `before` (the handler's middlewares') left it.
  // A subscription that publishes will need the EventBridge client: load its module and make
  // it on a later turn of the event loop, while the first batch's records wait on the network
  // (dedupe lock, the handler's calls), rather than when the first of them publishes.
  let prefetch = config.publishes.length > 0;
  handler.before(async function runBatch(request) {
    if (prefetch) {
      prefetch = false;
      setImmediate(() => {
        // A failed load is not cached: the send that needs the client reports it.
        eventBridgeClient().catch(() => undefined);
      });
    }
    const state: InvocationState = invocationState(request as BuslineRequest);
    state.lambdaContext = request.context;
    state.batchStarted = true;
    await processBatch(state);
  });

  return handler as unknown as BuslineLambdaHandler;
}

/**
 * The field crypto of a function bundled without one: none of its topics had encrypted fields at
 * synth, so nothing calls it; should something, no field goes out in plaintext.
 */
function noFieldCrypto(): Promise<never> {
  return Promise.reject(new PiiEncryptionError('this function was bundled without field encryption: none of its topics had "x-busline-pii": "encrypt" fields'));
}

// The work happens in the runBatch `before` hook; the partial-batch middleware sets the response.
async function noopHandler(): Promise<undefined> {
  return undefined;
}
