/**
 * The RecordContext the batch loop makes for each decoded record (batch-processor.ts), with its
 * logger made on first use: a child logger is an object and eight closures, and a record that
 * succeeds (most) writes no line at the default level, so most records never need one. Code that
 * only asks whether a level is on asks {@link recordLogEnabled}, which answers without making it.
 */
import type { EventBridgeEvent, EventMetadata } from './envelope.ts';
import type { Logger } from './handler-types.ts';
import { loggerEnabled, type JsonLogger, type LogLevel } from './logger.ts';
import type { PiiMask } from './pii-mask.ts';
import type { Deadline, RecordContext, RecordTransport } from './record-pipeline.ts';
import type { DeliveryMode } from './subscription-config.ts';

/** What a record is made of, besides its logger (and the EventBridge id, which is its event's). */
export type DecodedRecordFields = Omit<RecordContext, 'logger' | 'piiMask' | 'eventBridgeId'>;

/** The slots a DecodedRecord carries for its steps' state (record-slot.ts). */
export const RECORD_SLOTS = ['slot0', 'slot1', 'slot2', 'slot3'] as const;
export type RecordSlotName = (typeof RECORD_SLOTS)[number];

export class DecodedRecord implements RecordContext {
  readonly subscription: string;
  readonly flow: string;
  readonly delivery: DeliveryMode;
  readonly topic: string;
  readonly eventId: string;
  readonly eventBridgeId: string;
  readonly event: EventBridgeEvent<unknown>;
  readonly enveloped: boolean;
  readonly metadata: EventMetadata;
  readonly data: unknown;
  readonly correlationId: string;
  readonly attempt: number;
  readonly messageId: string | undefined;
  readonly transport: RecordTransport | undefined;
  readonly deadline: Deadline;
  readonly piiMask: PiiMask | undefined;
  readonly #batchLogger: JsonLogger;
  #logger: JsonLogger | undefined;
  /** Per-record state of the steps, each slot owned by one RecordSlot (record-slot.ts). */
  slot0: unknown = undefined;
  slot1: unknown = undefined;
  slot2: unknown = undefined;
  slot3: unknown = undefined;

  /** `batchLogger`: the invocation's logger; the record's adds its topic, event id, correlation id and attempt, and masks `piiMask`. */
  constructor(fields: DecodedRecordFields, batchLogger: JsonLogger, piiMask: PiiMask | undefined) {
    this.subscription = fields.subscription;
    this.flow = fields.flow;
    this.delivery = fields.delivery;
    this.topic = fields.topic;
    this.eventId = fields.eventId;
    this.eventBridgeId = fields.event.id;
    this.event = fields.event;
    this.enveloped = fields.enveloped;
    this.metadata = fields.metadata;
    this.data = fields.data;
    this.correlationId = fields.correlationId;
    this.attempt = fields.attempt;
    this.messageId = fields.messageId;
    this.transport = fields.transport;
    this.deadline = fields.deadline;
    this.piiMask = piiMask;
    this.#batchLogger = batchLogger;
  }

  get logger(): Logger {
    return (this.#logger ??= this.#batchLogger.child(
      { topic: this.topic, eventId: this.eventId, correlationId: this.correlationId, attempt: this.attempt },
      this.piiMask,
    ));
  }

  /** Whether the record's logger writes `level`: the same answer as its logger's, without making it. */
  logEnabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return (this.#logger ?? this.#batchLogger).enabled(level);
  }
}

/** `loggerEnabled(record.logger, level)`, without making a DecodedRecord's logger for the question. */
export function recordLogEnabled(record: RecordContext, level: Exclude<LogLevel, 'silent'>): boolean {
  return record instanceof DecodedRecord ? record.logEnabled(level) : loggerEnabled(record.logger, level);
}

/**
 * A Logger writing through `record.logger`, which it makes only when a line is written: for code
 * that holds on to a record's logger but seldom writes (the dedupe coordinator keeps one per
 * record for its warnings). Its methods are on the prototype: it is called as `logger.warn(…)`.
 */
export function deferredRecordLogger(record: RecordContext): Logger {
  return record instanceof DecodedRecord ? new DeferredRecordLogger(record) : record.logger;
}

class DeferredRecordLogger implements Logger {
  readonly #record: RecordContext;
  constructor(record: RecordContext) {
    this.#record = record;
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.#record.logger.debug(message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#record.logger.info(message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#record.logger.warn(message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#record.logger.error(message, fields);
  }
}
