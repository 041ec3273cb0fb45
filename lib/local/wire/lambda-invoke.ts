/**
 * Lambda's Invoke on the engine's endpoint (REST-JSON: `POST /2015-03-31/functions/{name}/invocations`),
 * for asynchronous invocations only (`X-Amz-Invocation-Type: Event`): the payload is handed to
 * the function as Lambda's async queue would (its retries and on-failure destination apply), and
 * the call answers 202 at once. `busline dlq redrive` sends a direct subscription's dead letters
 * back this way, to exactly that subscription's function. Unlike a rule target's delivery, an
 * invocation accepted here is not kept on disk: an engine killed while it runs loses it.
 *
 * Errors as Lambda answers them: status, `x-amzn-errortype`, and `{ "Type", "message" }`.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from '../eventbridge/types.ts';

export const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Lambda's payload quota for an asynchronous invocation (1 MB since 2026-01-29, see AWS-FACTS). */
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

export interface LambdaWire {
  /** Resolves once the function accepted the event; rejects with LambdaWireError when it cannot. */
  invokeEvent(functionName: string, payload: unknown): Promise<void>;
}

export class LambdaWireError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

/** `accessDenied`: the message of the AccessDenied answer when the caller may not invoke it. */
export async function handleLambdaInvoke(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse, lambda: LambdaWire, functionName: string, accessDenied?: string): Promise<void> {
  const requestId = randomUUID();
  const fail = (e: LambdaWireError): void => {
    const payload = JSON.stringify({ Type: e.status >= 500 ? 'Service' : 'User', message: e.message });
    response.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.type, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(payload) });
    response.end(payload);
  };
  if (accessDenied !== undefined) return fail(new LambdaWireError(403, 'AccessDeniedException', accessDenied));
  const type = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (type !== 'Event') {
    return fail(new LambdaWireError(400, 'InvalidParameterValueException', `The local engine invokes functions asynchronously only: send X-Amz-Invocation-Type: Event (got ${String(type)}).`));
  }
  // "Invoke", Lambda API Reference: RequestTooLargeException (413), "The request payload exceeded
  // the Invoke request body JSON input quota".
  if (body.length > MAX_ASYNC_PAYLOAD_BYTES) {
    return fail(new LambdaWireError(413, 'RequestTooLargeException', `${body.length} byte payload is too large for the Event invocation type (limit ${MAX_ASYNC_PAYLOAD_BYTES} bytes).`));
  }
  let name: string;
  try {
    name = decodeURIComponent(functionName);
  } catch {
    return fail(new LambdaWireError(400, 'ValidationException', `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must be a URL-encoded function name or ARN.`));
  }
  let payload: unknown;
  try {
    payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return fail(new LambdaWireError(400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not JSON.'));
  }
  try {
    await lambda.invokeEvent(name, payload);
  } catch (error) {
    return fail(error instanceof LambdaWireError ? error : new LambdaWireError(500, 'ServiceException', (error as Error).message));
  }
  response.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 });
  response.end();
}

/**
 * The wire's Invoke over the engine's function invoker: hands the payload to the function's
 * async invocation and resolves once it is under way. An unknown function makes invokeAsync
 * reject before its first await, so a rejection already settled when the race is run means
 * "cannot invoke" (404); otherwise the invocation goes on by itself, as on Lambda's async queue.
 */
export function invokerWire(invoker: () => LambdaInvoker | undefined, region: string, accountId: string): LambdaWire {
  return {
    async invokeEvent(name, payload) {
      const current = invoker();
      if (!current) throw new LambdaWireError(500, 'ServiceException', 'no function runner is attached to the engine');
      const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      const id = (payload as { id?: unknown } | null)?.id;
      const running = current.invokeAsync(arn, payload, { eventId: typeof id === 'string' ? id : randomUUID(), ruleName: '', busName: '', attempt: 1 });
      const started = Symbol('started');
      try {
        await Promise.race([running, Promise.resolve(started)]);
      } catch (error) {
        throw new LambdaWireError(404, 'ResourceNotFoundException', `Function not found: ${arn} (${(error as Error).message})`);
      }
      running.catch((error: unknown) => console.error(`busline engine: async invoke of ${arn} failed:`, error));
    },
  };
}
