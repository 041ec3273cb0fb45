/**
 * The error AWS answers with when EventBridge refuses a pattern
 * (PutRule / TestEventPattern: `InvalidEventPatternException`). The message
 * follows AWS's shape, `Event pattern is not valid. Reason: <what is wrong>`,
 * so the local engine can put it on the wire unchanged; when the problem is in
 * one field's value list, the message also names that field.
 */
export class InvalidEventPatternError extends Error {
  /** What is wrong, in AWS's words, without the "Event pattern is not valid" lead-in. */
  readonly reason: string;
  /** Dotted path of the field whose value list is at fault, when there is one. */
  readonly field: string | undefined;

  constructor(reason: string, options: { cause?: unknown; field?: string } = {}) {
    const where = options.field === undefined ? '' : ` (in the value list of "${options.field}")`;
    super(`Event pattern is not valid. Reason: ${reason}${where}`, { cause: options.cause });
    this.name = 'InvalidEventPatternException';
    this.reason = reason;
    this.field = options.field;
  }

  /** The same error, located in a field (kept as is when already located). */
  inField(path: string): InvalidEventPatternError {
    return this.field === undefined ? new InvalidEventPatternError(this.reason, { cause: this.cause, field: path }) : this;
  }
}
