/**
 * The error AWS answers with when EventBridge refuses a pattern
 * (PutRule / TestEventPattern: `InvalidEventPatternException`). The message
 * follows AWS's shape, `Event pattern is not valid. Reason: <what is wrong>`,
 * so the local engine can put it on the wire unchanged.
 */
export class InvalidEventPatternError extends Error {
  /** What is wrong, without the "Event pattern is not valid" lead-in. */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
    this.name = 'InvalidEventPatternException';
    this.reason = reason;
  }
}
