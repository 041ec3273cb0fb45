/**
 * Traces across hops, on the local engine: a publisher (this test process, with its own tracer
 * provider) publishes greeting.sent; the greet function handles it and publishes
 * greeting.recorded; the record function handles that. Both functions export spans because their
 * environment configures an OTLP exporter (OTEL_EXPORTER_OTLP_ENDPOINT, protocol http/json), as a
 * team would set it; an OTLP receiver in this process collects what everyone sends.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SpanKind } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { startLocalApp, type LocalApp } from 'busline/local';
import { createPublisher } from 'busline/runtime';
import { GREETINGS_DIR } from '../fixtures/greetings-flow/stack.ts';
import { tracedGreetingsStack } from '../fixtures/greetings-flow/traced-stack.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';

let receiver: OtlpReceiver;
let app: LocalApp;
let assemblyDir: string;
const stateDir = mkdtempSync(join(tmpdir(), 'busline-traces-'));

before(async () => {
  receiver = await startOtlpReceiver();
  assemblyDir = Stage.of(tracedGreetingsStack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }))!.synth().directory;
  app = await startLocalApp({ assembly: assemblyDir, stateDir });
});
after(async () => {
  await app?.stop();
  await receiver?.close();
  rmSync(stateDir, { recursive: true, force: true });
  if (assemblyDir) rmSync(assemblyDir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  const end = Date.now() + 60_000;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; spans so far: ${receiver.spans.map((s) => `${s.service}:${s.name}`).join(', ') || 'none'}; refused: ${receiver.refused.join(', ') || 'none'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('one trace spans publish → rule → queue → handler → publish → rule → queue → next handler, each hop the parent of the next', async () => {
  // The first publisher: a traced service (this process), exporting to the same receiver.
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'greeting-client' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${receiver.endpoint}/v1/traces` }) })],
  });
  const greet = app.subscriptions.find((s) => s.name === 'greet')!;
  const record = app.subscriptions.find((s) => s.name === 'record')!;
  const publisher = createPublisher({
    busName: greet.busName,
    topics: { 'greeting.sent': { source: 'test.greetings', latestVersion: 1 } },
    validators: await loadValidators(join(GREETINGS_DIR, 'schemas')),
    client: new EventBridgeClient({ endpoint: app.engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const publish = provider.getTracer('greeting-client').startSpan('greeting.sent publish', { kind: SpanKind.PRODUCER });
  const sc = publish.spanContext();
  await publisher.publish('greeting.sent', { name: 'Ada', times: 1 }, { traceparent: `00-${sc.traceId}-${sc.spanId}-01` });
  publish.end();
  await provider.forceFlush();
  await provider.shutdown();

  const last = await until('the record function to export its processing span', () => receiver.spans.find((s) => s.name === 'greeting.recorded process'));
  const inTrace = receiver.spans.filter((s) => s.traceId === sc.traceId);
  assert.equal(last.traceId, sc.traceId, 'the last handler is in the first publisher\'s trace');

  const byId = new Map(inTrace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let s: ReceivedSpan | undefined = last; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.unshift(s);
  assert.deepEqual(chain.map((s) => [s.service, s.name]), [
    ['greeting-client', 'greeting.sent publish'],
    [greet.functionName, 'greeting.sent deliver'],
    [greet.functionName, `${greet.queueName} wait`],
    [greet.functionName, 'greeting.sent process'],
    [greet.functionName, 'greeting.recorded publish'],
    [record.functionName, 'greeting.recorded deliver'],
    [record.functionName, `${record.queueName} wait`],
    [record.functionName, 'greeting.recorded process'],
  ]);
  // The root is the first publish; each hop's span is the child of the one before it.
  assert.equal(chain[0]!.parentSpanId, undefined);
  // OTLP numbers kinds from 1 (SPAN_KIND_INTERNAL), the API from 0 (INTERNAL).
  assert.deepEqual(chain.map((s) => s.kind), [SpanKind.PRODUCER, SpanKind.INTERNAL, SpanKind.INTERNAL, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.INTERNAL, SpanKind.INTERNAL, SpanKind.CONSUMER].map((k) => k + 1));
  assert.deepEqual(chain.map((s) => s.attributes['busline.hop'] ?? null), [null, 'rule', 'queue', null, null, 'rule', 'queue', null]);
  assert.equal(chain[3]!.attributes['busline.outcome'], 'succeeded');
  assert.deepEqual(receiver.refused, []);
});
