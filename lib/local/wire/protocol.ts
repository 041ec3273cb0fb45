/** Shared pieces of the AWS JSON protocols (1.0 for SQS and DynamoDB, 1.1 for EventBridge). */

/** A failure to put on the wire in AWS's shape. */
export class WireError extends Error {
  constructor(
    /** Body `__type`. */
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Extra response headers (SQS: x-amzn-query-error). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** What a handler knows about the call: `signal` aborts when the client goes away (long polls stop then). */
export interface ActionContext {
  readonly signal: AbortSignal;
}

/** An action handler: parsed JSON input → output object (or throws). */
export type ActionHandler = (input: Record<string, unknown>, context: ActionContext) => unknown | Promise<unknown>;
