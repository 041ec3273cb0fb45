/**
 * The one wire endpoint, on 127.0.0.1 only. Dispatches on `X-Amz-Target`:
 *   AWSEvents.<Action>           EventBridge, JSON 1.1
 *   AmazonSQS.<Action>           SQS, JSON 1.0
 *   DynamoDB_20120810.<Action>   DynamoDB, handed to lib/local/dynamodb (dynalite's store, in process)
 *   TrentService.<Action>        KMS, JSON 1.1 (kms-actions.ts)
 *   (none, and Action=<Action>)  SQS, query protocol (form or query string in, XML out; sqs-query-endpoint.ts)
 *   POST /2015-03-31/functions/{name}/invocations   Lambda Invoke, asynchronous only (lambda-invoke.ts)
 * Plus `GET /_busline/health` and `GET /_busline/journal?correlationId=&topic=&eventId=&principal=&afterSeq=&limit=`
 * (JSON array of journal records) for local tools.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { invoke, own, sendPayload, WireError, type ActionHandler, type Outcome } from './protocol.ts';
import type { DynamoDbBackend } from './dynamodb.ts';
import { readBody } from './read-body.ts';
import { serveSqsQuery, sqsQueryParameters } from './sqs-query-endpoint.ts';
import { handleLambdaInvoke, LAMBDA_INVOKE_PATH, type LambdaWire } from './lambda-invoke.ts';
import type { JournalQuery, JournalRecord } from '../journal/types.ts';
import { accessDeniedException, dynamoDbAccessDenied, sqsAccessDenied, type WireIam } from './wire-iam.ts';
import { dynamoDbPermissions, eventBridgePermissions, lambdaInvokePermissions, sqsPermissions, type Coordinates, type PermissionCheck } from '../iam/request-permissions.ts';
import type { AccessDenial } from '../iam/iam-authorizer.ts';

export interface WireServices {
  readonly sqs: Record<string, ActionHandler>;
  readonly events: Record<string, ActionHandler>;
  readonly sqsError: (error: unknown) => WireError | undefined;
  readonly eventsError: (error: unknown) => WireError | undefined;
  readonly dynamodb?: DynamoDbBackend;
  readonly kms?: {
    readonly actions: Record<string, ActionHandler>;
    readonly error: (error: unknown) => WireError | undefined;
    /** The permissions a request needs (the key it names or its ciphertext names, resolved). */
    readonly permissions: (action: string, input: Record<string, unknown>, at: Coordinates) => PermissionCheck[];
  };
  readonly journalQuery?: (query: JournalQuery) => Promise<JournalRecord[]>;
  readonly lambda?: LambdaWire;
  /** Who calls, and whether the template's policies allow it (absent: every call is allowed). */
  readonly iam?: WireIam;
  /** Requests wait for this before they are handled (the engine opens it once set up). */
  readonly ready?: Promise<void>;
}

const MAX_BODY_BYTES = 12 * 1024 * 1024;

interface Protocol {
  readonly contentType: string;
  readonly actions: Record<string, ActionHandler>;
  readonly toWireError: (error: unknown) => WireError | undefined;
  /** `__type` for an action this endpoint does not know. */
  readonly unknownOperation: string;
  /** The IAM permissions a request needs, and the service's AccessDenied answer. */
  readonly permissions: (action: string, input: Record<string, unknown>, at: Coordinates) => PermissionCheck[];
  readonly accessDenied: (denial: AccessDenial) => WireError;
}

export class WireServer {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(port: number, services: WireServices): Promise<WireServer> {
    const protocols: Record<string, Protocol> = {
      AmazonSQS: {
        contentType: 'application/x-amz-json-1.0', actions: services.sqs, toWireError: services.sqsError, unknownOperation: 'com.amazonaws.sqs#UnsupportedOperation',
        permissions: sqsPermissions, accessDenied: sqsAccessDenied,
      },
      AWSEvents: {
        contentType: 'application/x-amz-json-1.1', actions: services.events, toWireError: services.eventsError, unknownOperation: 'UnknownOperationException',
        permissions: eventBridgePermissions, accessDenied: accessDeniedException,
      },
      ...(services.kms && {
        TrentService: {
          contentType: 'application/x-amz-json-1.1', actions: services.kms.actions, toWireError: services.kms.error, unknownOperation: 'UnknownOperationException',
          permissions: services.kms.permissions, accessDenied: accessDeniedException,
        },
      }),
    };
    const gate = { open: services.ready === undefined };
    void services.ready?.then(() => {
      gate.open = true;
    });
    const server = http.createServer((request, response) => {
      const target = request.headers['x-amz-target'];
      if (services.dynamodb && typeof target === 'string' && target.startsWith('DynamoDB_20120810.')) {
        // The DynamoDB service reads the body itself, under DynamoDB's own size limit.
        const dynamodb = services.dynamodb;
        const iam = services.iam;
        const check = iam && ((operation: string, input: unknown) => {
          const denial = iam.check(iam.callerOf(request), dynamoDbPermissions(operation, (input ?? {}) as Record<string, unknown>, iam.coordinates));
          return denial && dynamoDbAccessDenied(denial);
        });
        if (gate.open) dynamodb.handle(request, response, check);
        else void services.ready!.then(() => dynamodb.handle(request, response, check));
        return;
      }
      readBody(request, MAX_BODY_BYTES, (body) => {
        if (gate.open) void handle(request, body, response, protocols, services);
        else void services.ready!.then(() => handle(request, body, response, protocols, services));
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new WireServer(server, (server.address() as AddressInfo).port);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse, protocols: Record<string, Protocol>, services: WireServices): Promise<void> {
  const requestId = randomUUID();
  const target = request.headers['x-amz-target'];
  if (request.method === 'GET' && request.url?.startsWith('/_busline/')) return localTools(request, response, services);
  const lambdaInvoke = request.method === 'POST' && typeof target !== 'string' ? LAMBDA_INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname) : null;
  const iam = services.iam;
  const caller = iam?.callerOf(request);
  if (lambdaInvoke && services.lambda) {
    // The name as sent (handleLambdaInvoke decodes it and answers a malformed one); checked decoded.
    const raw = lambdaInvoke[1]!;
    const name = safeDecode(raw);
    const denial = name !== undefined && iam && caller && iam.check(caller, lambdaInvokePermissions(name, iam.coordinates));
    return handleLambdaInvoke(request, body, response, services.lambda, raw, denial ? denial.message : undefined);
  }
  if (typeof target !== 'string') {
    const query = sqsQueryParameters(request, body);
    if (query) return serveSqsQuery(request, query, response, services.sqs, services.sqsError, requestId, iam && caller && ((action, input) => {
      const denial = iam.check(caller, sqsPermissions(action, input, iam.coordinates));
      return denial && sqsAccessDenied(denial);
    }), caller);
    return send(response, 400, 'application/x-amz-json-1.0', requestId, {
      __type: 'MissingTargetException',
      message: 'This endpoint speaks the AWS JSON protocols, named by an X-Amz-Target header (AWSEvents.*, AmazonSQS.*, DynamoDB_20120810.*, TrentService.*), and the SQS query protocol (a form-encoded body or query string with Action=<SQS action>&Version=2012-11-05). This request has neither.',
    });
  }
  const dot = target.indexOf('.');
  const prefix = dot > 0 ? target.slice(0, dot) : target;
  const action = target.slice(dot + 1);
  if (prefix === 'DynamoDB_20120810') {
    // With DynamoDB running these requests never get here (see start()).
    return send(response, 400, 'application/x-amz-json-1.0', requestId, { __type: 'com.amazon.coral.service#UnknownOperationException', message: 'DynamoDB is not running in this engine (it was started withoutDynamoDb).' });
  }
  const protocol = protocols[prefix];
  if (!protocol) {
    return send(response, 400, 'application/x-amz-json-1.0', requestId, { __type: 'UnknownServiceException', message: `Unknown X-Amz-Target service "${prefix}": this endpoint serves AWSEvents, AmazonSQS, DynamoDB_20120810 and TrentService (KMS).` });
  }
  const handler = own(protocol.actions, action);
  if (!handler) {
    const headers: Record<string, string> = prefix === 'AmazonSQS' ? { 'x-amzn-query-error': 'AWS.SimpleQueueService.UnsupportedOperation;Sender' } : {};
    return send(response, 400, protocol.contentType, requestId, { __type: protocol.unknownOperation, message: `The local engine does not support ${prefix}.${action}. Supported: ${Object.keys(protocol.actions).join(', ')}.` }, headers);
  }
  let input: Record<string, unknown>;
  try {
    const text = body.length === 0 ? '{}' : body.toString('utf8');
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as Record<string, unknown>;
  } catch {
    const type = prefix === 'AmazonSQS' ? 'com.amazonaws.sqs#InvalidParameterValue' : 'SerializationException';
    const headers: Record<string, string> = prefix === 'AmazonSQS' ? { 'x-amzn-query-error': 'InvalidParameterValue;Sender' } : {};
    return send(response, 400, protocol.contentType, requestId, { __type: type, message: 'The request body is not a JSON object.' }, headers);
  }
  if (iam && caller) {
    const denial = iam.check(caller, protocol.permissions(action, input, iam.coordinates));
    if (denial) {
      const wire = protocol.accessDenied(denial);
      return send(response, wire.status, protocol.contentType, requestId, { __type: wire.type, message: wire.message }, wire.headers);
    }
  }
  // Not awaited here: this function ends now, so the request's body (a Buffer) is not held
  // while the action runs, which for a write waits on an fsync (see answer()).
  return answer(response, protocol, prefix, target, requestId, invoke(handler, input, response, caller));
}

/**
 * Sends what the action came to. A function of its own so that nothing of the request but what
 * the answer needs is held while the action runs: held across the wait, a request's body Buffer
 * outlived young-generation collections and its memory stayed until the next full one.
 */
async function answer(response: http.ServerResponse, protocol: Protocol, prefix: string, target: string, requestId: string, pending: Promise<Outcome | undefined>): Promise<void> {
  const outcome = await pending;
  if (!outcome) return;
  if ('output' in outcome) return send(response, 200, protocol.contentType, requestId, outcome.output);
  const wire = protocol.toWireError(outcome.error);
  if (wire) return send(response, wire.status, protocol.contentType, requestId, { __type: wire.type, message: wire.message }, wire.headers);
  console.error(`busline engine: ${target} failed:`, outcome.error);
  const headers: Record<string, string> = prefix === 'AmazonSQS' ? { 'x-amzn-query-error': 'InternalError;Receiver' } : {};
  send(response, 500, protocol.contentType, requestId, { __type: prefix === 'AmazonSQS' ? 'com.amazonaws.sqs#InternalError' : 'InternalException', message: `Internal error in the local engine: ${(outcome.error as Error).message}` }, headers);
}

function send(response: http.ServerResponse, status: number, contentType: string, requestId: string, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendPayload(response, status, contentType, requestId, JSON.stringify(body), headers);
}

async function localTools(request: http.IncomingMessage, response: http.ServerResponse, services: WireServices): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const requestId = randomUUID();
  if (url.pathname === '/_busline/health') return send(response, 200, 'application/json', requestId, { ok: true });
  if (url.pathname === '/_busline/journal' && services.journalQuery) {
    const p = url.searchParams;
    const number = (name: string) => (p.has(name) ? Number(p.get(name)) : undefined);
    const records = await services.journalQuery({
      ...(p.has('correlationId') && { correlationId: p.get('correlationId')! }),
      ...(p.has('topic') && { topic: p.get('topic')! }),
      ...(p.has('eventId') && { eventId: p.get('eventId')! }),
      ...(p.has('principal') && { principal: p.get('principal')! }),
      afterSeq: number('afterSeq'),
      limit: number('limit'),
    });
    return send(response, 200, 'application/json', requestId, records);
  }
  send(response, 404, 'application/json', requestId, { message: `No such local tool: ${url.pathname}` });
}

function safeDecode(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}
