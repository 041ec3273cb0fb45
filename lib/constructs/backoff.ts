import { Duration } from 'aws-cdk-lib';

/** Options of exponential backoff. */
export interface ExponentialBackoffOptions {
  /**
   * Delay before the first retry; retry n waits min(max, base × 2^(n−1)), with full jitter.
   * @default Duration.seconds(2)
   */
  readonly base?: Duration;
  /**
   * Longest delay between two attempts (at most 12 hours, SQS's visibility limit).
   * @default Duration.minutes(5)
   */
  readonly max?: Duration;
}

/**
 * How long the runtime waits before retrying a failed event. Choose with
 * `Backoff.exponential({...})` or `Backoff.fixed(delay)`. Baked into the function's
 * SubscriptionConfig; the runtime applies it (for queue delivery, by changing the failed
 * message's visibility).
 */
export class Backoff {
  /** Exponential backoff with full jitter. */
  static exponential(options: ExponentialBackoffOptions = {}): Backoff {
    return new Backoff(options.base ?? Duration.seconds(2), options.max ?? Duration.minutes(5));
  }

  /** The same delay before every retry. */
  static fixed(delay: Duration): Backoff {
    return new Backoff(delay, delay);
  }

  private constructor(
    readonly base: Duration,
    readonly max: Duration,
  ) {}
}
