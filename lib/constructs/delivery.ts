import type { Duration } from 'aws-cdk-lib';
import type { DeliveryMode } from '../runtime/subscription-config.ts';

/** Options of queue-backed delivery (rule → SQS queue → Lambda). */
export interface QueueDeliveryOptions {
  /**
   * Records per Lambda invocation. 1–10 without a batching window (and always 1–10 on
   * ordered delivery), up to 10,000 with one.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers records before invoking (0–300 s).
   * Not allowed with `Delivery.ordered()`: FIFO event source mappings take no batching window.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source mapping starts (2–1,000).
   * @default - no limit beyond the function's own concurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Visibility timeout of the subscription's queue. AWS requires at least 6 × the
   * function timeout; a smaller value fails synth.
   * @default - 6 × the function timeout
   */
  readonly visibilityTimeout?: Duration;
}

/** Options of ordered delivery (rule → FIFO queue → Lambda), ordered per message group. */
export interface OrderedDeliveryOptions extends QueueDeliveryOptions {
  /**
   * Path in the event's `data` whose value is the message group: events with the same
   * value are handled one at a time, in order (e.g. `'userId'`, `'account.id'`).
   * Must name a field of the topic's schema.
   */
  readonly messageGroupPath: string;
}

/**
 * How a subscription's events reach its function. Choose one with a static factory:
 * `Delivery.queue()`, `Delivery.ordered({ messageGroupPath })` or `Delivery.direct()`.
 */
export class Delivery {
  /** Rule → SQS queue → Lambda, with partial batch failures. The default. */
  static queue(options: QueueDeliveryOptions = {}): Delivery {
    return new Delivery('queue', options, undefined);
  }

  /** Rule → FIFO queue → Lambda: events sharing a message group are handled in order. */
  static ordered(options: OrderedDeliveryOptions): Delivery {
    const { messageGroupPath, ...queueOptions } = options;
    return new Delivery('ordered', queueOptions, messageGroupPath);
  }

  /**
   * Rule → Lambda (asynchronous invoke) for the lowest latency. Failures are retried by
   * Lambda (at most twice) and then sent to the subscription's DLQ.
   */
  static direct(): Delivery {
    return new Delivery('direct', {}, undefined);
  }

  private constructor(
    /** The delivery mode, as the runtime and the flow manifest name it. */
    readonly mode: DeliveryMode,
    /** Queue options (empty for direct delivery). */
    readonly queueOptions: QueueDeliveryOptions,
    /** The message group path of ordered delivery. */
    readonly messageGroupPath: string | undefined,
  ) {}
}
