/**
 * The runtime reaches the OpenTelemetry API only once something registered with it: the API keeps
 * its registrations on globalThis under Symbol.for('opentelemetry.js.api.1')
 * (@opentelemetry/api, internal/global-utils), shared by every copy of the API of major version 1.
 * Each test file runs in its own process, so nothing registered before these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import { loadedRecordSpans, otelApiInUse, recordSpansModule } from '../../lib/runtime/otel-bridge.ts';

test('while nothing registered with the OpenTelemetry API, it is not in use and record-spans is not loaded', async () => {
  assert.equal(otelApiInUse(), false);
  assert.equal(await recordSpansModule(), undefined);
  assert.equal(loadedRecordSpans(), undefined);
});

test('once a tracer provider is registered (by any copy of the API), record-spans is loaded and sees that provider', async () => {
  // A provider of its own (no SDK needed to register one): its tracers are the API's no-op ones.
  const provider: TracerProvider = { getTracer: (name) => new ProxyTracerProvider().getTracer(name) };
  assert.equal(trace.setGlobalTracerProvider(provider), true);
  try {
    assert.equal(otelApiInUse(), true);
    const spans = await recordSpansModule();
    assert.ok(spans);
    assert.equal(loadedRecordSpans(), spans);
    assert.ok(spans.registeredTracerProvider(), 'the registered provider is seen through the module');
  } finally {
    trace.disable();
  }
});
