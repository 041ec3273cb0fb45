/**
 * Span export configuration, read from the environment variables the OpenTelemetry specification
 * names ("OpenTelemetry Environment Variable Specification",
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/: OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER with values otlp / console / none; "OTLP Exporter Configuration",
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/: OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL with grpc, http/protobuf, http/json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TracerProvider } from '@opentelemetry/api';
import { startTraceExport, traceExportPlan } from '../../lib/runtime/trace-export.ts';
import { traceExportRequested } from '../../lib/runtime/trace-export-loader.ts';
import { createLogger } from '../../lib/runtime/logger.ts';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

test('nothing configured, or export turned off, asks for no export: no middleware, nothing loaded', () => {
  for (const env of [{}, { OTEL_TRACES_EXPORTER: 'none', ...ENDPOINT }, { OTEL_SDK_DISABLED: 'true', ...ENDPOINT }, { OTEL_SERVICE_NAME: 'svc' }]) {
    assert.equal(traceExportPlan(env), undefined, JSON.stringify(env));
    assert.equal(traceExportRequested(env), false, JSON.stringify(env));
  }
});

test("an OTLP endpoint alone means OTLP over HTTP with protobuf, the specification's default protocol", () => {
  for (const env of [ENDPOINT, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, { OTEL_TRACES_EXPORTER: 'otlp' }]) {
    assert.deepEqual(traceExportPlan(env), { exporters: ['otlp-http/protobuf'], problems: [] }, JSON.stringify(env));
    assert.equal(traceExportRequested(env), true);
  }
});

test('the protocol comes from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL; console and otlp combine', () => {
  assert.deepEqual(traceExportPlan({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.exporters, ['otlp-http/json']);
  assert.deepEqual(traceExportPlan({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })?.exporters, ['otlp-http/protobuf']);
  assert.deepEqual(traceExportPlan({ OTEL_TRACES_EXPORTER: 'otlp, console' })?.exporters, ['otlp-http/protobuf', 'console']);
});

test('what the runtime cannot do (gRPC, other exporters) is named as a problem, not ignored', () => {
  assert.deepEqual(traceExportPlan({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), {
    exporters: [],
    problems: ["OTLP protocol 'grpc' is not supported by the Busline runtime (http/protobuf, http/json): send to a collector over HTTP, or use the ADOT Lambda layer"],
  });
  assert.match(traceExportPlan({ OTEL_TRACES_EXPORTER: 'zipkin' })!.problems[0]!, /OTEL_TRACES_EXPORTER 'zipkin' is not supported/);
});

function captureLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger('info', (l) => void lines.push(JSON.parse(l) as Record<string, unknown>)), lines };
}

test('an unsupported configuration starts no export and says so in one warn line', async () => {
  const { logger, lines } = captureLogger();
  const started = await startTraceExport({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, { registered: undefined, setGlobalTracerProvider: () => assert.fail('nothing to register') }, logger);
  assert.equal(started, undefined);
  assert.deepEqual(lines.map((l) => [l.level, l.message]), [['warn', 'trace export: configuration not supported']]);
  assert.match(String(lines[0]!.problem), /grpc/);
});

test("a tracer provider registered already (the ADOT layer's) is kept: nothing is loaded or registered, and each invocation flushes it", async () => {
  let flushed = 0;
  const adot = { getTracer: () => assert.fail('not used here'), forceFlush: async () => void flushed++ } as unknown as TracerProvider;
  const started = await startTraceExport(ENDPOINT, { registered: adot, setGlobalTracerProvider: () => assert.fail('the registered provider must stay') }, captureLogger().logger);
  await started!.flush();
  assert.equal(flushed, 1);
});
