import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coldStartAreas, ENGINE_AREAS, formatBreakdown, mainThreadProfile, summarizeProfile, timeUnder, withCpuProfiles } from '../../bench/lib/cpu-profile.ts';

/** A V8 CPU profile as node --cpu-prof writes it: nodes, the node of each sample, and the time before each sample (µs). */
function profile(samples: Array<[functionName: string, url: string, micros: number]>): string {
  const nodes = samples.map(([functionName, url], i) => ({ id: i + 1, callFrame: { functionName, url } }));
  return JSON.stringify({ nodes, samples: nodes.map((n) => n.id), timeDeltas: samples.map(([, , us]) => us) });
}

function withProfileDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'busline-prof-test-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('busy time is grouped by the engine area of each sample, idle and start-up left out', () => {
  withProfileDir({ 'p.cpuprofile': profile([
    ['(idle)', '', 9000],
    ['compileSourceTextModule', 'node:internal/modules/esm/utils', 5000],
    ['route', 'file:///app/lib/local/eventbridge/routing.ts', 3000],
    ['match', 'file:///app/lib/local/pattern/pattern-index.ts', 1000],
    ['parserOnHeadersComplete', 'node:_http_common', 1000],
  ]) }, (dir) => {
    const summary = summarizeProfile(join(dir, 'p.cpuprofile'), ENGINE_AREAS);
    assert.equal(summary.busyMs, 5);
    assert.deepEqual(summary.areas, [
      { area: 'EventBridge (intake, routing, delivery)', ms: 3 },
      { area: 'event patterns', ms: 1 },
      { area: 'Node.js (HTTP, streams, fs)', ms: 1 },
    ]);
  });
});

test("the engine's DynamoDB area holds dynalite and the LevelDB packages it runs on, not other dependencies", () => {
  withProfileDir({ 'p.cpuprofile': profile([
    ['reply', 'file:///app/lib/local/dynamodb/dynamodb-service.ts', 1000],
    ['putItem', 'file:///app/node_modules/dynalite/actions/putItem.js', 1000],
    ['_batch', 'file:///app/node_modules/classic-level/index.js', 1000],
    ['cmp', 'file:///app/node_modules/big.js/big.js', 1000],
    ['parse', 'file:///app/node_modules/zod/v4/core/parse.js', 1000],
  ]) }, (dir) => {
    assert.deepEqual(summarizeProfile(join(dir, 'p.cpuprofile'), ENGINE_AREAS).areas, [
      { area: 'DynamoDB (requests, transactions, dynalite and its LevelDB)', ms: 4 },
      { area: 'dependencies', ms: 1 },
    ]);
  });
});

test("a cold start's profile keeps module loading and tells the handler's bundle from the AWS SDK it loads", () => {
  withProfileDir({ 'p.cpuprofile': profile([
    ['(idle)', '', 9000],
    ['compileFunction', 'node:internal/modules/cjs/loader', 4000],
    ['handler', 'file:///work/bench/.tmp/busline/index.mjs', 2000],
    ['signRequest', 'file:///work/node_modules/@smithy/signature-v4/dist-cjs/index.js', 3000],
    ['send', 'file:///work/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js', 1000],
  ]) }, (dir) => {
    const summary = summarizeProfile(join(dir, 'p.cpuprofile'), coldStartAreas('/work/bench/.tmp/busline/index.mjs'), { keepStartUp: true });
    assert.equal(summary.busyMs, 10);
    assert.deepEqual(summary.areas, [
      { area: 'module loading (Node: resolve, read, compile)', ms: 4 },
      { area: 'AWS SDK (clients, middleware, signing, HTTP)', ms: 4 },
      { area: 'the handler bundle (runtime, validators, handler)', ms: 2 },
    ]);
  });
});

test('the breakdown gives each area its share of the busy time', () => {
  const text = formatBreakdown({ busyMs: 4, areas: [{ area: 'journal', ms: 3 }, { area: 'SQS', ms: 1 }] });
  assert.equal(text, 'journal 75%, SQS 25%');
});

test('the main-thread profile of a process is the one node numbered thread 0 for its pid', () => {
  withProfileDir({
    'CPU.20261207.031817.9438.1.002.cpuprofile': profile([]),
    'CPU.20261207.031817.9438.0.001.cpuprofile': profile([]),
    'CPU.20261207.031817.9612.0.001.cpuprofile': profile([]),
  }, (dir) => {
    assert.equal(mainThreadProfile(dir, 9438), join(dir, 'CPU.20261207.031817.9438.0.001.cpuprofile'));
  });
});

test('a missing profile names the process and the folder', () => {
  withProfileDir({}, (dir) => {
    assert.throws(() => mainThreadProfile(dir, 42), /no CPU profile of process 42's main thread/);
  });
});

test('time under a call counts the self time of every function below it by name and file, and garbage collection apart', () => {
  // root → sample (harness) → handler (runtime) → decode (runtime), and a harness sibling and GC at the root.
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'sample', url: 'file:///app/bench/profile-runtime.ts' }, children: [3] },
    { id: 3, callFrame: { functionName: 'handler', url: 'file:///app/lib/runtime/wrap-handler.ts' }, children: [4] },
    { id: 4, callFrame: { functionName: 'decodeRecord', url: 'file:///app/lib/runtime/middleware/envelope.ts' }, children: [] },
    { id: 5, callFrame: { functionName: 'nextBatch', url: 'file:///app/bench/fixtures/order-events.ts' }, children: [] },
    { id: 6, callFrame: { functionName: '(garbage collector)', url: '' }, children: [] },
  ];
  const text = JSON.stringify({ nodes, samples: [2, 3, 4, 4, 4, 5, 6], timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 2000] });
  withProfileDir({ 'p.cpuprofile': text }, (dir) => {
    const under = timeUnder(join(dir, 'p.cpuprofile'), (url) => url.includes('/lib/runtime/'));
    assert.deepEqual(under, {
      busyMs: 4,
      gcMs: 2,
      functions: [{ name: 'decodeRecord (envelope.ts)', ms: 3 }, { name: 'handler (wrap-handler.ts)', ms: 1 }],
    });
  });
});

test('a profiling folder gives node the flags that write into it, finds its one main-thread profile, and is removed afterwards', async () => {
  let folder = '';
  const found = await withCpuProfiles(async (profiling) => {
    folder = profiling.dir;
    assert.deepEqual(profiling.nodeArgs, ['--cpu-prof', `--cpu-prof-dir=${profiling.dir}`]);
    writeFileSync(join(profiling.dir, 'CPU.20261207.031817.9438.1.002.cpuprofile'), profile([]));
    writeFileSync(join(profiling.dir, 'CPU.20261207.031817.9438.0.001.cpuprofile'), profile([]));
    return profiling.only();
  });
  assert.equal(found, join(folder, 'CPU.20261207.031817.9438.0.001.cpuprofile'));
  assert.equal(existsSync(folder), false);
});
