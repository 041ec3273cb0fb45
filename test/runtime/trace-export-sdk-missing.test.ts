/**
 * Span export asked for where the OpenTelemetry SDK packages are not installed (no layer with
 * them, nothing on NODE_PATH): the runtime's trace export code is bundled as the constructs
 * bundle it (LAMBDA_BUNDLE_OPTIONS; trace-export.mjs and record-spans.mjs beside the code that loads it) into a
 * folder of its own under the OS temp dir, where no node_modules holds the SDK, and run there
 * against an OTLP receiver on 127.0.0.1: one warning line naming what to add, then no export.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { trace } from '@opentelemetry/api';
import type { MiddlewareObj } from '@middy/core';
import { LAMBDA_BUNDLE_OPTIONS, LAZY_RUNTIME_MODULES } from '../../lib/constructs/bundler.ts';
import { createLogger, type JsonLogger } from '../../lib/runtime/logger.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';

type LoaderModule = { traceExportMiddleware(env: Record<string, string>, logger: JsonLogger): MiddlewareObj };

let dir: string;
let loader: LoaderModule;
let receiver: OtlpReceiver;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'busline-no-otel-sdk-'));
  // The loader, with every runtime module the constructs write beside it (trace-export.mjs, and
  // record-spans.mjs, which carries the OpenTelemetry API the provider is registered through).
  await build({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: {
      'trace-export-loader': fileURLToPath(new URL('../../lib/runtime/trace-export-loader.ts', import.meta.url)),
      ...Object.fromEntries(LAZY_RUNTIME_MODULES.map((m) => [m.name, m.entry])),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
  });
  loader = await import(pathToFileURL(join(dir, 'trace-export-loader.mjs')).href) as LoaderModule;
  receiver = await startOtlpReceiver();
});

after(async () => {
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('with the SDK packages missing, span export is one warning naming what to add, then no export at all', async () => {
  const fromBundle = createRequire(join(dir, 'trace-export.mjs'));
  for (const name of ['@opentelemetry/sdk-trace', '@opentelemetry/resources', '@opentelemetry/exporter-trace-otlp-http']) {
    assert.throws(() => fromBundle.resolve(name), { code: 'MODULE_NOT_FOUND' }, `${name} must not be reachable from the bundle's folder`);
  }
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', (l) => void lines.push(JSON.parse(l) as Record<string, unknown>));
  const middleware = loader.traceExportMiddleware({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, logger);

  // Three invocations, each making a span and flushing at its end, as the handler chain does.
  for (let i = 0; i < 3; i++) {
    await middleware.before!({} as never);
    trace.getTracer('busline-test').startSpan(`invocation ${i}`).end();
    await middleware.after!({} as never);
  }

  assert.deepEqual(lines.map((l) => [l.level, l.message]), [['warn', 'trace export: the OpenTelemetry SDK could not be loaded; spans are not exported']]);
  assert.match(String(lines[0]!.fix), /ADOT Lambda layer/);
  assert.match(String(lines[0]!.fix), /@opentelemetry\/sdk-trace, @opentelemetry\/resources, @opentelemetry\/exporter-trace-otlp-http/);
  assert.deepEqual([receiver.spans.length, receiver.refused.length], [0, 0], 'nothing reached the OTLP endpoint');
});
