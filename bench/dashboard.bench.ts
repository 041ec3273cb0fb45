/**
 * The local dashboard's page against a running engine (the operations flow of the CLI specs,
 * test/cli/support/dashboard-on-ops-flow.ts): what a browser transfers to show it (index.html
 * and app.js, gzip-compressed as the dashboard serves them; the API's JSON after that is not
 * counted), and the time from navigation to the first render of the flow graph, in Debian's
 * chromium driven by playwright-core (a fresh browser context per run, so nothing is cached).
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import type { BenchSection } from './section.ts';
import { formatNumber, formatSummary, summarize } from './lib/stats.ts';
import { startDashboardOnOpsFlow } from '../test/cli/support/dashboard-on-ops-flow.ts';

const RUNS = Number(process.env['BENCH_DASHBOARD_RUNS'] ?? 15);
const PAGE_FILES = ['/', '/app.js'];

const progress = (m: string) => process.stderr.write(`[bench] dashboard: ${m}\n`);

/** Bytes on the wire for one file: its body as sent (compressed when the server compresses). */
function transferred(url: URL): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => resolve({ bytes, encoding: String(res.headers['content-encoding'] ?? 'identity') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function run(): Promise<BenchSection> {
  const flow = await startDashboardOnOpsFlow();
  const executablePath = spawnSync('which', ['chromium'], { encoding: 'utf8' }).stdout.trim();
  if (!executablePath) throw new Error('chromium is not installed (apt-get install chromium)');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const base = new URL(flow.dashboard.url);
    const sizes = await Promise.all(PAGE_FILES.map((p) => transferred(new URL(p, base))));
    const total = sizes.reduce((n, s) => n + s.bytes, 0);
    progress(`page: ${total} bytes transferred`);

    const renders: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(flow.dashboard.url, { waitUntil: 'commit' });
      await page.locator('[data-node]').first().waitFor();
      // From navigation start to the graph's first node on screen, as the page's clock tells it.
      renders.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    const render = summarize(renders);
    progress(`first render: median ${formatNumber(render.median)} ms`);
    return {
      title: 'Local dashboard page',
      columns: ['figure', 'value'],
      rows: [
        ...PAGE_FILES.map((p, i) => [`${p === '/' ? 'index.html' : p.slice(1)} transferred (${sizes[i]!.encoding})`, `${formatNumber(sizes[i]!.bytes / 1000)} kB`]),
        ['page transferred in all', `${formatNumber(total / 1000)} kB`],
        [`time to first render of the flow graph (median [p25–p75] of ${RUNS}, ms)`, formatSummary(render)],
      ],
      notes: [
        'The page is preact + htm with dagre for the graph layout, bundled and minified by esbuild, served gzip-compressed from 127.0.0.1; no CDN.',
        'First render: navigation start to the first node of the flow graph drawn, which takes the page, its script, /api/flow and the layout; a fresh browser context each run (no cache).',
      ],
    };
  } finally {
    await browser.close();
    await flow.stop();
  }
}
