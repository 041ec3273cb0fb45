/**
 * Busline as a team meets it: the packed tarball installed into a stock `cdk init app` project
 * (TypeScript as the template makes it, which compiles as CommonJS; the same switched to ESM;
 * JavaScript), a flow added by `npx busline init`, then the commands the README gives.
 * The three apps are made and installed at once (npm install is most of the time).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  describeFailure, installBusline, packBusline, scaffoldApp, sh, startDev, tempParent, writeJestTests,
  type AppKind, type ConsumerApp,
} from './support/consumer-app.ts';
import { waitFor } from '../local/support/reference-flow.ts';

const KINDS: readonly AppKind[] = ['typescript', 'typescript-esm', 'javascript'];
const apps = new Map<AppKind, ConsumerApp>();
const parents: string[] = [];
let tarball = '';

before(async () => {
  tarball = await packBusline();
  await Promise.all(KINDS.map(async (kind) => {
    const parent = tempParent(kind);
    parents.push(parent);
    const app = await scaffoldApp(kind, parent);
    await installBusline(app, tarball);
    const init = await sh('npx busline init', app.dir);
    if (init.code !== 0) throw new Error(describeFailure(`busline init (${kind})`, init));
    writeJestTests(app);
    apps.set(kind, app);
  }));
}, { timeout: 900_000 });

after(() => {
  for (const p of [...parents, ...(tarball ? [dirname(tarball)] : [])]) rmSync(p, { recursive: true, force: true });
});

test('the tarball ships the built package and the CLI launcher only: no test, bench, source or reference-flow file', async () => {
  const listed = await sh(`tar -tzf ${JSON.stringify(tarball)}`, dirname(tarball));
  assert.equal(listed.code, 0, describeFailure('tar -tzf', listed));
  const files = listed.stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  // The built modules, and the dashboard's page (built by scripts/build-package.ts, served by `busline dev`).
  const shipped = (f: string): boolean => /^dist\/(esm|cjs)\/[\w/.-]+\.(js|cjs|mjs|d\.ts|d\.cts|json)$/.test(f) || /^dist\/dashboard\/(index\.html|app\.js)$/.test(f);
  const unexpected = files.filter((f) => !shipped(f) && !['bin/busline.mjs', 'package.json', 'README.md'].includes(f));
  assert.deepEqual(unexpected, []);
  for (const needed of ['dist/esm/constructs/index.js', 'dist/cjs/runtime/index.cjs', 'dist/esm/testing/index.d.ts', 'dist/cjs/local/index.d.cts', 'dist/esm/cli/main.js', 'dist/dashboard/index.html', 'dist/dashboard/app.js']) assert.ok(files.includes(needed), `${needed} is in the tarball`);
  assert.ok(!files.some((f) => /orders|reserve-inventory|order\.placed/.test(f)), 'no reference-flow file');
});

function app(kind: AppKind): ConsumerApp {
  const found = apps.get(kind);
  if (!found) throw new Error(`the ${kind} app was not set up (see the before hook's error)`);
  return found;
}

for (const kind of KINDS) {
  describe(`a ${kind} CDK app with busline installed`, () => {
    test('busline init declared a flow in the stack', () => {
      const stack = readFileSync(join(app(kind).dir, app(kind).stackFile), 'utf8');
      assert.match(stack, /new EventFlow\(this, 'Flow'\)/);
      assert.match(stack, kind === 'javascript' ? /require\('busline'\)/ : /from 'busline'/);
    });

    test('npx cdk synth passes, the app\'s own build step included', { timeout: 300_000 }, async () => {
      const r = await sh('npx cdk synth --quiet', app(kind).dir);
      assert.equal(r.code, 0, describeFailure('npx cdk synth', r));
      const template = readFileSync(join(app(kind).dir, 'cdk.out', 'SignupsStack.template.json'), 'utf8');
      assert.match(template, /"AWS::Lambda::Function"/);
    });

    test('busline dev runs the flow: a published event is handled, busline events shows the handler\'s own log field, busline dlq lists the subscription\'s empty DLQ', { timeout: 400_000 }, async () => {
      const dev = await startDev(app(kind));
      try {
        const published = await sh(`npx busline publish user.signed-up '{"userId":"u-42","email":"ada@example.com"}'`, app(kind).dir);
        assert.equal(published.code, 0, describeFailure('busline publish', published));
        const correlation = /correlationId=(\S+)/.exec(published.stdout)?.[1];
        assert.ok(correlation, published.stdout);
        const tree = await waitFor('the handler\'s log line in busline events', async () => {
          const r = await sh(`npx busline events --correlation ${correlation}`, app(kind).dir);
          return /welcome-user success/.test(r.stdout) && /userId=u-42/.test(r.stdout) ? r.stdout : undefined;
        }, 120_000);
        assert.match(tree, /user\.signed-up[\s\S]*welcome-user success[\s\S]*INFO .*userId=u-42/);
        const dlq = await sh('npx busline dlq list', app(kind).dir);
        assert.equal(dlq.code, 0, describeFailure('busline dlq list', dlq));
        assert.match(dlq.stdout, /welcome-user +0 /);
      } finally {
        await dev.stop();
      }
    });

    test('the app\'s jest tests pass: its stack\'s template, and its flow run by busline/testing', { timeout: 300_000 }, async () => {
      const r = await sh('npx jest', app(kind).dir);
      assert.equal(r.code, 0, describeFailure('npx jest', r));
      assert.match(r.stderr, /Tests: +2 passed, 2 total/);
    });

    if (kind !== 'javascript') {
      test('the app type-checks against busline\'s declarations with skipLibCheck false', { timeout: 300_000 }, async () => {
        const r = await sh('npx tsc --noEmit --skipLibCheck false', app(kind).dir);
        assert.equal(r.code, 0, describeFailure('tsc --skipLibCheck false', r));
      });
    }
  });
}

test('the typescript app also type-checks with bundler module resolution', { timeout: 300_000 }, async () => {
  const r = await sh('npx tsc --noEmit --skipLibCheck false --module preserve --moduleResolution bundler', app('typescript').dir);
  assert.equal(r.code, 0, describeFailure('tsc --moduleResolution bundler', r));
});
