/**
 * Raw HTTP to the engine's wire endpoint, with none of an SDK's checks: what a fuzzer sends is
 * exactly what the engine reads. Every request must be answered within ANSWER_BOUND_MS; one that
 * is not, or whose connection drops, fails the fuzz run (a hang or a crash, not a slow answer:
 * the bound is generous).
 */
import http from 'node:http';

export const ANSWER_BOUND_MS = 10_000;

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** Sends one request on a fresh connection and reads the whole answer. */
export function send(endpoint: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(request.path ?? '/', endpoint);
  const body = request.body ?? '';
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = http.request(url, { method: request.method ?? 'POST', headers: { ...request.headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms to ${request.method ?? 'POST'} ${url.pathname} (${JSON.stringify(request.headers ?? {})}): the engine hangs on this input`));
    }, ANSWER_BOUND_MS);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the engine dropped the connection (${error.message}) instead of answering`));
    });
    req.end(body);
  });
}

/** The engine still answers: its health check says ok. */
export async function assertAlive(endpoint: string): Promise<void> {
  const answer = await send(endpoint, { method: 'GET', path: '/_busline/health' });
  if (answer.status !== 200 || JSON.parse(answer.text).ok !== true) throw new Error(`the engine's health check answered ${answer.status} ${answer.text}`);
}
