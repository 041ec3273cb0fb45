import type { SubscriptionConfig } from './subscription-config.ts';
import type { RecordStep } from './record-pipeline.ts';
import type { DedupeOptions } from './dedupe/dedupe-options.ts';
import type { LineSink, LogLevel } from './logger.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { MiddlewareObj } from '@middy/core';
import type { Context as LambdaContext } from 'aws-lambda';
import type { BatchResponse } from './middleware/partial-batch.ts';

/** What a user's handler receives besides its data. */
export interface HandlerContext {
  /**
   * Publishes an event on the flow's bus; `topic` must be one the subscription declares in
   * `publishes`. The topic and the data's schema are checked now (a bad event rejects here);
   * the event is sent once the handler has succeeded, before its writes are committed, with
   * an id derived from the dedupe key, the topic and the publish's ordinal, so a re-run sends
   * the same ids (docs/dedupe.md). A handler that fails publishes nothing.
   */
  publish(topic: string, data: unknown): Promise<void>;
  /**
   * Declares DynamoDB writes (TransactWriteItem: Put, Update, Delete or ConditionCheck, with
   * their conditions). The runtime commits them after the handler succeeded, in ONE
   * TransactWriteItems together with the dedupe record's COMPLETED mark: all of them exactly
   * once, or none. At most 99 per record. A failing condition of yours fails the record
   * (EffectsCanceledError, retried) with nothing applied. A handler that fails writes nothing.
   */
  write(...items: TransactWriteItem[]): void;
  readonly logger: Logger;
  readonly event: HandlerEventInfo;
  /** Aborted when the invocation nears its deadline. */
  readonly signal: AbortSignal;
  /**
   * The invocation's Lambda context, as the handler's middlewares left it: values a middy
   * middleware puts on `request.context` (e.g. `@middy/ssm` or `@middy/secrets-manager` with
   * `setToContext: true`) are read here, typed `unknown` until the handler checks them:
   *
   *   const apiKey = ctx.lambdaContext?.apiKey;
   *   if (typeof apiKey !== 'string') throw new Error('the ssm middleware did not set apiKey');
   *
   * One object for the whole invocation, shared by every record of the batch (records may run
   * at once): read it, do not write per-record state on it. Always set by wrapHandler; optional
   * so that a context made by hand (a unit test calling the handler) need not make one.
   */
  readonly lambdaContext?: HandlerLambdaContext;
}

/** The Lambda context as a handler sees it: the standard fields, and what middlewares added (`unknown`). */
export type HandlerLambdaContext = LambdaContext & { readonly [key: string]: unknown };

/**
 * What a Busline invocation answers, as a middleware's `after` reads it in `request.response`:
 * the partial batch response for an SQS batch, `null` for a direct EventBridge event.
 */
export type InvocationResponse = BatchResponse | null | undefined;

/**
 * A middy middleware a handler takes with `defineHandler(fn).use(middleware)`: an object with
 * at least one of `before`, `after`, `onError`, each a function of middy's request (`event`:
 * the Lambda event as received; `context`: the Lambda context; `response`: the invocation's
 * answer, see {@link InvocationResponse}; `error`). Any middleware of the middy ecosystem that
 * does not depend on a particular event source fits (its TContext / TInternal are inferred, as
 * middy's own `use` does). A factory passed without calling it (`use(inputOutputLogger)`) is a
 * type error; so is a middleware written for another response type (e.g. HTTP responses).
 */
export type HandlerMiddleware<TContext extends LambdaContext = LambdaContext, TInternal extends Record<string, unknown> = Record<string, unknown>> =
  MiddlewareObj<unknown, InvocationResponse, Error, TContext, TInternal> & NotAFunction;

/**
 * Functions carry a `name`, so a middleware factory (a function) would pass as a middleware
 * object, whose members are all optional; a function's `call` is what tells them apart.
 */
interface NotAFunction {
  readonly call?: never;
}

export interface HandlerEventInfo {
  /** metadata.id of the event (the EventBridge id when the publisher set none). */
  readonly id: string;
  readonly topic: string;
  readonly source: string;
  readonly time: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** 1 on first delivery. */
  readonly attempt: number;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A user's handler: a plain async function of one event's validated data. */
export type UserHandler<TData = unknown> = (data: TData, ctx: HandlerContext) => Promise<void>;

/** A validator compiled at build time by lib/schema/validator-codegen (ajv standalone). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ReadonlyArray<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null;
}

/** `{ [topic]: { [version]: validator } }`, the shape the generated validator module exports. */
export type ValidatorTable = Readonly<Record<string, Readonly<Record<number, CompiledValidator>>>>;

/**
 * Options of wrapHandler. `config` and `validators` are what the constructs' generated entry
 * passes; the rest is optional (explicit option > environment variable > default).
 */
export interface WrapOptions {
  readonly config: SubscriptionConfig;
  readonly validators: ValidatorTable;
  /** Record steps run after validation and dedupe, before the handler. @default [] */
  readonly recordSteps?: readonly RecordStep[];
  /**
   * Dedupe (docs/dedupe.md): on unless `config.dedupe` is false; `false` here turns it off for
   * this wrapper; an object sets its table (else env BUSLINE_DEDUPE_TABLE), ttl, cache or store.
   * @default on, table from env BUSLINE_DEDUPE_TABLE
   */
  readonly dedupe?: DedupeOptions | false;
  /**
   * Records of one queue-delivery batch processed at once (1: one after another). Ordered
   * (FIFO) delivery always processes a batch's records one after another, in order.
   * @default env BUSLINE_RECORD_CONCURRENCY, else 10
   */
  readonly recordConcurrency?: number;
  /** @default env BUSLINE_BUS_NAME */
  readonly busName?: string;
  /** @default env BUSLINE_DLQ_URL */
  readonly dlqUrl?: string;
  /** Stop taking records this long before the Lambda timeout. @default env BUSLINE_TIMEOUT_MARGIN_MS, else 1000 */
  readonly timeoutMarginMs?: number;
  /** @default env BUSLINE_LOG_LEVEL, else 'info' */
  readonly logLevel?: LogLevel;
  /** CloudWatch namespace of the EMF metrics. @default env BUSLINE_METRICS_NAMESPACE, else 'Busline' */
  readonly metricsNamespace?: string;
  /** Where JSON log and EMF lines go. @default stdout */
  readonly output?: LineSink;
  /** @default a client made on first DLQ send or visibility change */
  readonly sqsClient?: SQSClient;
  /** @default a client made on first publish */
  readonly eventBridgeClient?: EventBridgeClient;
  /**
   * The client that commits the handler's ctx.write writes when dedupe is off (with dedupe on
   * they go through the dedupe store's client, in the same transaction as its mark).
   * @default a client made on first commit (endpoint and region from the environment)
   */
  readonly dynamoDbClient?: DynamoDBClient;
  /**
   * The KMS key of the fields the topics' schemas mark `"x-busline-pii": "encrypt"`: required when
   * the subscription publishes such a topic (GenerateDataKey); passed to Decrypt when it consumes one.
   * @default env BUSLINE_PII_KEY (the constructs set it)
   */
  readonly piiKeyId?: string;
  /** @default a client made on the first event with encrypted fields */
  readonly kmsClient?: KMSClient;
}

/**
 * `ctx` of a handler typed with a topic map (e.g. the `TopicMap` that `busline types`
 * generates): `publish` accepts only the topics in `TPublishes`, each with its own payload type.
 * A plain {@link HandlerContext} is assignable to it, so the runtime passes the same object.
 */
export interface TypedHandlerContext<TMap, TPublishes extends keyof TMap = never> extends Omit<HandlerContext, 'publish'> {
  publish<TTopic extends TPublishes>(topic: TTopic, data: TMap[TTopic]): Promise<void>;
}

/**
 * A handler typed from the schemas: `data` is the payload of `TTopic` (a union when the
 * subscription consumes several topics), and `ctx.publish` is checked at compile time — a
 * topic outside `TPublishes` or a payload not matching its schema is a type error.
 * `TypedHandler<M, T, P>` is assignable to `UserHandler<M[T]>`.
 */
export type TypedHandler<TMap, TTopic extends keyof TMap, TPublishes extends keyof TMap = never> = (
  data: TMap[TTopic],
  ctx: TypedHandlerContext<TMap, TPublishes>,
) => Promise<void>;

/**
 * What {@link defineHandler} returns: the typed handler itself (callable as before, a
 * `UserHandler`), plus middy's `use` to run middy middlewares around each invocation:
 *
 *   export default defineHandler<TopicMap, 'user.signed-up'>(async (user, ctx) => { … })
 *     .use(inputOutputLogger())
 *     .use([ssm({ fetchData: { apiKey: '/welcome/api-key' }, setToContext: true })]);
 *
 * `use` adds to this handler and returns it (like middy's, so `handler.use(m)` on its own line
 * works too); call it while the module loads: once wrapHandler took the handler, `use` throws.
 * Where the middlewares run, and what they can and cannot change: lib/runtime/README.md.
 */
export interface DefinedHandler<TMap, TTopic extends keyof TMap, TPublishes extends keyof TMap = never> {
  (data: TMap[TTopic], ctx: TypedHandlerContext<TMap, TPublishes>): Promise<void>;
  /** Adds one middleware. */
  use<TContext extends LambdaContext = LambdaContext, TInternal extends Record<string, unknown> = Record<string, unknown>>(middleware: HandlerMiddleware<TContext, TInternal>): this;
  /** Adds several, in order (befores run in that order, afters and onErrors in reverse). */
  use<TContext extends LambdaContext = LambdaContext, TInternal extends Record<string, unknown> = Record<string, unknown>>(middlewares: readonly HandlerMiddleware<TContext, TInternal>[]): this;
  /** Adds several middlewares that each put different values on the context. */
  use(middlewares: readonly HandlerMiddleware<never, never>[]): this;
}
