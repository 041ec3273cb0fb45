/** Shapes shared by the function runner, the async invoker and event source mappings. */

/** A function error in the shape Lambda reports it (response payload of a failed invoke). */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: readonly string[];
}

/** One line a function wrote: `level` is `info` for stdout and console.log/info, else `warn`, `error`, `debug`, `trace`. */
export interface LogLine {
  readonly level: string;
  readonly text: string;
}

export interface InvokeResult {
  readonly requestId: string;
  readonly functionName: string;
  /** True when the handler returned; false on a thrown error, timeout, crash or init failure. */
  readonly ok: boolean;
  /** The handler's return value, JSON-round-tripped (undefined → null). */
  readonly value?: unknown;
  readonly error?: LambdaError;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Console output of this invocation, in order. */
  readonly logs: readonly LogLine[];
}
