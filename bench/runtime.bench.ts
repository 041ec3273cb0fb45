/**
 * Runtime bundle budget: the reference flow's reserve-inventory handler bundled exactly as the
 * constructs bundle it (lib/constructs/bundler.ts: one esbuild call, minified ESM, `@aws-sdk/*`
 * external), against a peer bundle of the same handler wrapped by bare @middy/core with the same
 * build-time validator. Reports minified size and module load time (median and IQR of 20
 * fresh `node -e "import(...)"` processes; each measures its own import with performance.now()).
 * Rows are measured interleaved (one load of every bundle per round).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, transformSync } from 'esbuild';
import type { BenchSection } from './section.ts';
import { formatNumber, formatRatioBounds, formatSummary, iqrBounds, ratioBounds, summarize, type Summary } from './lib/stats.ts';
import { atMost, targetOf, verdictSentence } from './lib/targets.ts';
import { bundleHandlers } from '../lib/constructs/bundler.ts';
import { loadSchemas } from '../lib/schema/schema-set.ts';
import { generateValidatorModule } from '../lib/schema/validator-codegen.ts';
import type { SubscriptionConfig } from '../lib/runtime/subscription-config.ts';
import { LAMBDA_BUNDLE_OPTIONS } from '../lib/constructs/bundler.ts';
import { bundleComposition, formatComposition } from './lib/bundle-composition.ts';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, 'bench/.tmp/runtime');
const RUNS = Number(process.env['BENCH_BUNDLE_RUNS'] ?? 20);

const CONFIG: SubscriptionConfig = {
  flow: 'Orders',
  subscription: 'reserve-inventory',
  delivery: 'queue',
  consumes: ['order.placed'],
  publishes: ['inventory.reserved'],
  topics: { 'order.placed': { source: 'shop.orders', latestVersion: 1 }, 'inventory.reserved': { source: 'shop.inventory', latestVersion: 1 } },
  retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 60 },
  dedupe: { ttlSeconds: 86_400 },
};
// Dedupe is on (as in the reference flow): its table name comes from the environment the
// constructs set; nothing is called at load.

interface LoadSample {
  /** Wall-clock ms of `await import()`. */
  readonly wallMs: number;
  /** CPU ms (user + system) spent by the import: less sensitive to a loaded machine. */
  readonly cpuMs: number;
}

/** One `await import()` of the bundle in a fresh node process, timed inside it. */
function loadOnce(file: string): LoadSample {
  const url = pathToFileURL(file).href;
  const script = `const c=process.cpuUsage();const t=performance.now();await import(${JSON.stringify(url)});const w=performance.now()-t;const d=process.cpuUsage(c);process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(d.user+d.system)/1000}));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1', BUSLINE_DEDUPE_TABLE: 'bench-dedupe' } })) as LoadSample;
}

const kb = (bytes: number) => `${formatNumber(bytes / 1000)} KB`;
const ms = (s: Summary) => `${formatSummary(s)} ms`;

function bundlePeer(name: string, handlerFile: string, validatorsModule: string): string {
  // Peer: the same handler and build-time validator under bare middy core, nothing else.
  const src = join(WORK, 'peer-src', name);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'validators.mjs'), validatorsModule);
  writeFileSync(
    join(src, 'entry.mjs'),
    [
      `import middy from '@middy/core';`,
      `import userHandler from ${JSON.stringify(handlerFile)};`,
      `import { validators } from './validators.mjs';`,
      `export const handler = middy(async (event) => { for (const r of event.Records) { const d = JSON.parse(r.body).detail; if (!validators['order.placed'][1](d.data)) throw new Error('invalid'); await userHandler(d.data, {}); } });`,
    ].join('\n'),
  );
  const outfile = join(WORK, 'peer', name, 'index.mjs');
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [join(src, 'entry.mjs')], outfile, nodePaths: [join(ROOT, 'node_modules')] });
  return outfile;
}

interface Bundle {
  readonly label: string;
  readonly file: string;
  /** The peer bundle of the same handler (undefined for a peer itself). */
  readonly peerOf?: string;
  readonly wall: number[];
  readonly cpu: number[];
}

export async function run(): Promise<BenchSection> {
  // As the constructs generate it for the subscription (lib/constructs/event-flow.ts): the schemas
  // of the topics it consumes and publishes, not every topic of the flow.
  const schemas = loadSchemas(join(ROOT, 'schemas'));
  const validatorsModule = generateValidatorModule([...CONFIG.consumes, ...CONFIG.publishes].map((topic) => schemas.get(topic)!));
  const validatorsBytes = transformSync(validatorsModule, { minify: true, format: 'esm' }).code.length;
  const handlers = {
    'reserve-inventory': join(ROOT, 'functions/reserve-inventory.ts'),
    'sample (no SDK import)': join(ROOT, 'bench/fixtures/sample-handler.ts'),
  };
  const bundles: Bundle[] = [];
  for (const [label, handlerFile] of Object.entries(handlers)) {
    const name = label.split(' ')[0]!;
    const dir = bundleHandlers([{ name, handlerFile, validatorsModule, config: CONFIG }], join(WORK, 'busline', name)).get(name)!;
    const peer = `${label}: peer: bare @middy/core + validator`;
    bundles.push({ label: `${label}: busline, every middleware`, file: join(dir, 'index.mjs'), peerOf: peer, wall: [], cpu: [] });
    bundles.push({ label: peer, file: bundlePeer(name, handlerFile, validatorsModule), wall: [], cpu: [] });
  }
  // Interleaved: one load of every bundle per round, so load from other processes lands on all.
  for (let i = 0; i < RUNS; i++) {
    for (const b of bundles) {
      const sample = loadOnce(b.file);
      b.wall.push(sample.wallMs);
      b.cpu.push(sample.cpuMs);
    }
  }
  const summary = new Map(bundles.map((b) => [b.label, { wall: summarize(b.wall), cpu: summarize(b.cpu), bytes: statSync(b.file).size }] as const));
  const rows = bundles.map((b) => {
    const m = summary.get(b.label)!;
    const peer = b.peerOf ? summary.get(b.peerOf)! : undefined;
    return [b.label, kb(m.bytes), ms(m.wall), ms(m.cpu), peer ? formatRatioBounds(ratioBounds(m.wall, peer.wall)) : '—'];
  });
  const reserve = summary.get(bundles[0]!.label)!;
  return {
    title: 'Runtime bundle: size and module load',
    columns: ['bundle', 'minified size (@aws-sdk external)', 'load, ms (IQR)', 'load CPU, ms (IQR)', 'load ÷ peer, median (IQR bounds)'],
    rows,
    notes: [
      `Load = \`await import()\` of the bundle, timed inside a fresh node process; ${RUNS} processes per bundle, interleaved (one of every bundle per round); CPU = user + system time of that import (process.cpuUsage), steadier than wall time on a busy machine. KB = 1,000 bytes.`,
      "Neither handler imports the AWS SDK at load: reserve-inventory reaches DynamoDB through the runtime's dynamoDb()/dynamoDbSdk(), and every client loads on first use, so both rows measure the runtime's own load.",
      `Of the reserve-inventory bundle's ${kb(reserve.bytes)}, the generated validators module is ${kb(validatorsBytes)} minified on its own.`,
      `What the reserve-inventory bundle is made of (esbuild's metafile, bytes in the output): ${formatComposition(bundleComposition(join(WORK, 'busline', 'reserve-inventory', 'src', 'reserve-inventory', 'entry.mjs'), join(ROOT, 'node_modules')))}.`,
      verdictSentence('reserve-inventory bundle (issue 18)', { median: reserve.bytes, lower: reserve.bytes, upper: reserve.bytes }, targetOf('bundle-size'), ' bytes'),
      verdictSentence('reserve-inventory module load (issue 8)', iqrBounds(reserve.wall), atMost(15, '15 ms'), ' ms'),
      `Node ${process.version}; bundles under bench/.tmp/runtime.`,
    ],
  };
}
