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

export interface WireResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler knows about the call: `signal` aborts when the client goes away (long polls stop then). */
export interface ActionContext {
  readonly signal: AbortSignal;
}

/** An action handler: parsed JSON input → output object (or throws). */
export type ActionHandler = (input: Record<string, unknown>, context: ActionContext) => unknown | Promise<unknown>;

export function requireString(input: Record<string, unknown>, name: string, missing: (name: string) => Error): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) throw missing(name);
  return value;
}

export function optionalNumber(input: Record<string, unknown>, name: string, invalid: (message: string) => Error): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be a number.`);
  return value;
}
