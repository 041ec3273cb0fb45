/**
 * Serves the dashboard page: `/` (index.html) and `/app.js`, gzip-compressed for browsers that
 * accept it. From the package, the files built into dist/dashboard/; from a checkout (the
 * TypeScript sources run directly), bundled from dashboard-ui/ on first request.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundlePage, type PageFiles } from './page-bundle.ts';

/** dist/dashboard/ seen from dist/esm/cli/dashboard/ (or dist/cjs/…). */
const BUILT = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
const FROM_SOURCES = import.meta.url.endsWith('.ts');

const TYPES: Record<keyof PageFiles, string> = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8' };

async function loadPage(): Promise<PageFiles> {
  if (!FROM_SOURCES && existsSync(`${BUILT}app.js`)) {
    return { 'index.html': readFileSync(`${BUILT}index.html`, 'utf8'), 'app.js': readFileSync(`${BUILT}app.js`, 'utf8') };
  }
  return bundlePage();
}

export function pageAssets(): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  let files: Promise<Map<keyof PageFiles, { plain: Buffer; gzip: Buffer }>> | undefined;
  const load = (): typeof files => (files ??= loadPage().then((page) => new Map(
    (Object.keys(TYPES) as (keyof PageFiles)[]).map((name) => {
      const plain = Buffer.from(page[name]);
      return [name, { plain, gzip: gzipSync(plain, { level: 9 }) }] as const;
    }),
  )));
  return async (req, res, url) => {
    const name: keyof PageFiles | undefined = url.pathname === '/' ? 'index.html' : url.pathname === '/app.js' ? 'app.js' : undefined;
    if (!name || req.method !== 'GET') return false;
    const file = (await load()!).get(name)!;
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, {
      'content-type': TYPES[name], 'cache-control': 'no-cache', vary: 'accept-encoding',
      'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(gzip ? file.gzip : file.plain);
    return true;
  };
}
