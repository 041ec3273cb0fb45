import type http from 'node:http';

/**
 * Reads a request's body and hands it to `onBody` once it has all arrived. A body over
 * `maxBytes` destroys the request instead (the client sees the connection drop), so an
 * oversized or endless upload cannot fill the engine's memory.
 */
export function readBody(request: http.IncomingMessage, maxBytes: number, onBody: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    // The listeners (and so `chunks`) live as long as the request, which is until it is answered.
    chunks.length = 0;
    onBody(body);
  });
}
