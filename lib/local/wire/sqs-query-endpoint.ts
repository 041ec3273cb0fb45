/**
 * The SQS query protocol beside JSON on the one wire endpoint: a request without `X-Amz-Target`
 * whose parameters (form-encoded POST body, or the URL's query string) hold `Action=` is an SQS
 * query request, as older SDKs and other languages' SDKs send them ("Making query API requests
 * using AWS query protocol in Amazon SQS", SQS developer guide). It is a codec around the JSON
 * actions: the parameters are decoded into the JSON input (sqs-query-decode.ts), the same handler
 * runs, and its output or error is written as SQS's XML (sqs-query-encode.ts).
 */
import type http from 'node:http';
import { decodeSqsQuery } from './sqs-query-decode.ts';
import { encodeSqsQueryError, encodeSqsQueryResult, type SqsQueryError } from './sqs-query-encode.ts';
import { invoke, own, sendPayload, WireError, type ActionHandler } from './protocol.ts';
import type { Caller } from '../iam/caller.ts';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The parameters of a query request (URL query string, then a form body), or undefined when the
 * request is not one: it neither names an `Action` nor has a form body.
 */
export function sqsQueryParameters(request: http.IncomingMessage, body: Buffer): URLSearchParams | undefined {
  const params = new URLSearchParams(new URL(request.url ?? '/', 'http://127.0.0.1').search);
  const contentType = request.headers['content-type'];
  const form = contentType?.toLowerCase().startsWith(FORM) ?? false;
  if ((form || contentType === undefined) && body.length > 0) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.append(name, value);
  }
  return form || params.has('Action') ? params : undefined;
}

/** Answers one query request with `actions` (the JSON actions), in XML. */
export async function serveSqsQuery(
  request: http.IncomingMessage,
  params: URLSearchParams,
  response: http.ServerResponse,
  actions: Readonly<Record<string, ActionHandler>>,
  toWireError: (error: unknown) => WireError | undefined,
  requestId: string,
  /** The AccessDenied answer for a request the caller may not make, if any. */
  deny?: (action: string, input: Record<string, unknown>) => WireError | undefined,
  caller?: Caller,
): Promise<void> {
  const action = params.get('Action') ?? '';
  if (action === '') {
    return sendError(response, 400, requestId, { code: 'MissingAction', type: 'Sender', message: 'The request must contain the parameter Action (an SQS action, e.g. Action=SendMessage&Version=2012-11-05).' });
  }
  const handler = own(actions, action);
  if (!handler) {
    return sendError(response, 400, requestId, { code: 'InvalidAction', type: 'Sender', message: `The action ${action} is not valid for this endpoint. The local engine serves the SQS actions ${Object.keys(actions).join(', ')}.` });
  }
  let input: Record<string, unknown>;
  try {
    input = decodeSqsQuery(action, params, queueUrlOfPath(request));
  } catch (error) {
    return sendFailure(response, error, toWireError, requestId, action);
  }
  const denied = deny?.(action, input);
  if (denied) return sendFailure(response, denied, toWireError, requestId, action);
  const outcome = await invoke(handler, input, response, caller);
  if (!outcome) return;
  if ('error' in outcome) return sendFailure(response, outcome.error, toWireError, requestId, action);
  sendPayload(response, 200, 'text/xml', requestId, encodeSqsQueryResult(action, outcome.output, requestId));
}

/** The queue a request was sent to, `http://<host>/<account>/<name>`, as query requests may address it. */
function queueUrlOfPath(request: http.IncomingMessage): string | undefined {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
  return /^\/[^/]+\/[^/]+\/?$/.test(url.pathname) ? `${url.origin}${url.pathname.replace(/\/$/, '')}` : undefined;
}

function sendFailure(response: http.ServerResponse, error: unknown, toWireError: (error: unknown) => WireError | undefined, requestId: string, action: string): void {
  const wire = error instanceof WireError ? error : toWireError(error);
  if (!wire) {
    console.error(`busline engine: SQS query ${action} failed:`, error);
    return sendError(response, 500, requestId, { code: 'InternalError', type: 'Receiver', message: `Internal error in the local engine: ${(error as Error).message}` });
  }
  // `x-amzn-query-error` is "<query code>;<Sender|Receiver>", what a query client sees as the error.
  const [code, fault] = (wire.headers['x-amzn-query-error'] ?? `${wire.type};Sender`).split(';');
  sendError(response, wire.status, requestId, { code: code!, type: fault === 'Receiver' ? 'Receiver' : 'Sender', message: wire.message });
}

function sendError(response: http.ServerResponse, status: number, requestId: string, error: SqsQueryError): void {
  sendPayload(response, status, 'text/xml', requestId, encodeSqsQueryError(error, requestId));
}
