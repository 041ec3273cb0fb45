import type { SubscriptionConfig } from './subscription-config.ts';

/** What a user's handler receives besides its data. */
export interface HandlerContext {
  /** Publishes an event on the flow's bus; `topic` must be one the subscription declares in `publishes`. */
  publish(topic: string, data: unknown): Promise<void>;
  readonly logger: Logger;
  readonly event: HandlerEventInfo;
  /** Aborted when the invocation nears its deadline. */
  readonly signal: AbortSignal;
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

export interface WrapOptions {
  readonly config: SubscriptionConfig;
  readonly validators: ValidatorTable;
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
