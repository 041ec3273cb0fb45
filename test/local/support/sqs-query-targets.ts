/**
 * SQS scenario tests over the query protocol (form-encoded `Action=…&Version=2012-11-05` in, XML
 * out), against the local engine and, where moto_server agrees with the documented AWS
 * behaviour, against moto_server too. The client is a real AWS SDK that speaks query:
 * `@aws-sdk/client-sqs` 3.445.0 (the last release before SQS moved to JSON), installed under
 * the alias `sqs-query-client`.
 *
 *   sqsTargets();                                    // from sqs-targets.ts: one engine, one moto
 *   queryScenario('what it shows', { moto: true }, async (t) => { ... t.sqs ... });
 */
import { after } from 'node:test';
import { CreateQueueCommand, SQSClient } from 'sqs-query-client';
import { scenarioOn, type TargetEndpoint } from './sqs-targets.ts';

export interface QueryTarget {
  readonly name: TargetEndpoint['name'];
  readonly at: TargetEndpoint;
  /** The query-protocol SDK client of this target. */
  readonly sqs: SQSClient;
  /** A new queue (name unique within the run, `.fifo` added for FIFO queues). */
  queue(options?: { fifo?: boolean; attributes?: Record<string, string> }): Promise<string>;
  /** A client whose requests have their form body rewritten by `rewrite` before they are sent. */
  rewritingClient(rewrite: (body: string) => string): SQSClient;
  /** A raw query request (form POST to `path`, or GET with the parameters in the URL). */
  raw(params: Record<string, string>, options?: { method?: 'GET' | 'POST'; path?: string }): Promise<{ status: number; contentType: string; text: string }>;
}

const clients = new Map<string, SQSClient>();
const extraClients: SQSClient[] = [];
after(() => {
  for (const client of [...clients.values(), ...extraClients]) client.destroy();
});

let n = 0;

function clientFor(at: TargetEndpoint): SQSClient {
  return new SQSClient({ endpoint: at.endpoint, region: at.region, credentials: at.credentials });
}

function view(at: TargetEndpoint): QueryTarget {
  let sqs = clients.get(at.endpoint);
  if (!sqs) clients.set(at.endpoint, (sqs = clientFor(at)));
  const client = sqs;
  return {
    name: at.name,
    at,
    sqs: client,
    async queue({ fifo = false, attributes = {} } = {}) {
      const name = `query-${process.pid}-${++n}${fifo ? '.fifo' : ''}`;
      const all = fifo ? { FifoQueue: 'true', ...attributes } : attributes;
      return (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: all }))).QueueUrl!;
    },
    rewritingClient(rewrite) {
      const rewriting = clientFor(at);
      extraClients.push(rewriting);
      rewriting.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body?: unknown; headers: Record<string, string> };
          if (typeof request.body === 'string') {
            request.body = rewrite(request.body);
            request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
          }
          return next(args);
        },
        { step: 'build', name: 'rewriteQueryBody' },
      );
      return rewriting;
    },
    async raw(params, { method = 'POST', path = '/' } = {}) {
      const query = new URLSearchParams(params).toString();
      // Shaped as a signed request's (neither target checks the signature; moto_server routes by the scope's service).
      const authorization = `AWS4-HMAC-SHA256 Credential=${at.credentials.accessKeyId}/20240101/${at.region}/sqs/aws4_request, SignedHeaders=host, Signature=0`;
      const response = method === 'GET'
        ? await fetch(`${at.endpoint}${path}?${query}`, { headers: { authorization } })
        : await fetch(`${at.endpoint}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: query });
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
    },
  };
}

/** One test per target, as `scenario` in sqs-targets.ts, with the query-protocol client. */
export function queryScenario(name: string, options: { moto: boolean }, body: (t: QueryTarget) => Promise<void>): void {
  scenarioOn(name, options, view, body);
}

/**
 * What the query SDK makes of an error answer: its `name` (the exception, or the query code when
 * the SDK has no exception for it), the query `Code` from the XML, and the HTTP status.
 */
export function queryError(name: string, status = 400, code?: string): (error: unknown) => boolean {
  return (error) => {
    const e = error as { name?: string; Code?: string; Error?: { Code?: string }; $metadata?: { httpStatusCode?: number } };
    const actualCode = e.Error?.Code ?? e.Code;
    return e.name === name && e.$metadata?.httpStatusCode === status && (code === undefined || actualCode === code);
  };
}
