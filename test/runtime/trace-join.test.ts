/**
 * One trace in both notations: the W3C traceparent Busline's envelope carries and the AWS X-Ray
 * trace header (PutEvents TraceHeader → SQS AWSTraceHeader → Lambda _X_AMZN_TRACE_ID).
 *
 * The header's shape: `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>` (AWS X-Ray Developer
 * Guide, "Tracing header", https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader);
 * the root without its version and dashes is the W3C trace id, Parent the span id (the mapping of
 * the OpenTelemetry AWS X-Ray propagator, @opentelemetry/propagator-aws-xray). EventBridge passes
 * an entry's TraceHeader to its targets, over SQS as the AWSTraceHeader system attribute
 * (EventBridge API reference, PutEventsRequestEntry.TraceHeader).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { createPublisher } from '../../lib/runtime/index.ts';
import { traceparentOf, tracingStep } from '../../lib/runtime/middleware/tracing.ts';
import { xrayLinks } from '../../lib/runtime/record-spans.ts';
import type { RecordContext } from '../../lib/runtime/record-pipeline.ts';
import { formatXRayTraceHeader, parseTraceparent, parseXRayTraceHeader } from '../../lib/runtime/trace-context.ts';
import { createLogger } from '../../lib/runtime/logger.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';
import { SCHEMAS_DIR, TOPICS } from './fixtures/flow.ts';

const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const SAME_AS_W3C = '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01';

test('an X-Ray trace header and a traceparent name the same trace: root = trace id, Parent = span id, Sampled = flag', () => {
  assert.deepEqual(parseXRayTraceHeader(XRAY), parseTraceparent(SAME_AS_W3C));
  assert.equal(formatXRayTraceHeader(parseTraceparent(SAME_AS_W3C)!), XRAY);
  // Field order and extra fields (Lineage, Self) do not matter; Sampled=0 is an unsampled trace.
  assert.deepEqual(parseXRayTraceHeader('Sampled=0;Lineage=a87bd80c:1|68fd508a:5;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793'), { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', flags: '00' });
});

test('an X-Ray header without a parent segment, or not an X-Ray header, continues no trace', () => {
  assert.equal(parseXRayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'), undefined);
  assert.equal(parseXRayTraceHeader('Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8'), undefined);
  assert.equal(parseXRayTraceHeader(SAME_AS_W3C), undefined);
  assert.equal(parseXRayTraceHeader(undefined), undefined);
});

function record(metadata: Record<string, unknown>, traceHeader?: string): RecordContext {
  return {
    subscription: 's', flow: 'f', delivery: 'queue', topic: 'order.placed', eventId: 'e-1', eventBridgeId: 'eb-1',
    event: {} as RecordContext['event'], enveloped: true, metadata, data: {}, correlationId: 'c-1', attempt: 1,
    ...(traceHeader ? { transport: { traceHeader, queueArn: 'arn:aws:sqs:us-east-1:000000000000:q', sentAt: Date.now() } } : {}),
    deadline: { remainingMs: () => 30_000, remainingBeforeGuardMs: () => 29_000, signal: new AbortController().signal },
    logger: createLogger('silent', () => undefined),
  };
}

test("without an envelope traceparent, a record continues the trace of the AWSTraceHeader it came with", async () => {
  const r = record({}, XRAY);
  const step = tracingStep();
  await step.before!(r);
  assert.equal(parseTraceparent(traceparentOf(r))?.traceId, '5759e988bd862e3fe1be46a994272793');
  await step.settle!(r, { kind: 'succeeded' });
});

test("the envelope traceparent wins over the AWSTraceHeader; an X-Ray trace that differs from it becomes a link", async () => {
  const envelope = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const r = record({ traceparent: envelope }, XRAY);
  const step = tracingStep();
  await step.before!(r);
  assert.equal(parseTraceparent(traceparentOf(r))?.traceId, '0af7651916cd43dd8448eb211c80319c');
  await step.settle!(r, { kind: 'succeeded' });

  const parent = parseTraceparent(envelope);
  const invocation = 'Root=1-6a1b2c3d-000000000000000000000001;Parent=1111111111111111;Sampled=1';
  assert.deepEqual(xrayLinks(r, parent, invocation).map((l) => l.context.traceId), ['5759e988bd862e3fe1be46a994272793', '6a1b2c3d000000000000000000000001']);
  // A header naming the continued trace is no link: the publisher wrote it from the same context.
  assert.deepEqual(xrayLinks(record({ traceparent: SAME_AS_W3C }, XRAY), parseTraceparent(SAME_AS_W3C), undefined), []);
});

let f: EngineFixture;
before(async () => {
  f = await startEngine({
    setup(e) {
      const q = e.createQueue('traced');
      e.createBus('traced');
      e.putRule({ Name: 'placed', EventBusName: 'traced', EventPattern: '{"detail-type":["order.placed"]}' });
      e.putTargets('traced', 'placed', [{ Id: 'q', Arn: q.arn }]);
    },
  });
});
after(() => f?.close());

test("a published event's PutEvents entry carries its traceparent as the X-Ray TraceHeader, which reaches the queue as AWSTraceHeader", async () => {
  const publisher = createPublisher({ busName: 'traced', topics: TOPICS, validators: await loadValidators(SCHEMAS_DIR), client: f.events });
  const published = await publisher.publish('order.placed', { orderId: 'o-1', quantity: 1 });
  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.engine.queue('traced').url, MessageSystemAttributeNames: ['AWSTraceHeader'], WaitTimeSeconds: 5 }));
  const [message] = out.Messages ?? [];
  assert.ok(message, 'the event was routed to the queue');
  assert.equal(message.Attributes?.AWSTraceHeader, formatXRayTraceHeader(parseTraceparent(published.metadata.traceparent)!));
});

/**
 * A context manager on AsyncLocalStorage, as the OpenTelemetry SDK's for Node is
 * (@opentelemetry/context-async-hooks): the active context follows the async work started in it.
 */
function asyncContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<Context>();
  const manager: ContextManager = {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable: () => manager,
    disable: () => manager,
  };
  return manager;
}

test('a publisher called inside an active span (a traced API handler) continues its trace, in the traceparent and the TraceHeader', async () => {
  const publisher = createPublisher({ busName: 'traced', topics: TOPICS, validators: await loadValidators(SCHEMAS_DIR), client: f.events });
  const active = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')!;
  assert.equal(context.setGlobalContextManager(asyncContextManager()), true);
  let published: { metadata: { traceparent: string } };
  try {
    const spanContext = { traceId: active.traceId, spanId: active.spanId, traceFlags: 1, isRemote: true };
    published = await context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => publisher.publish('order.placed', { orderId: 'o-2', quantity: 1 }));
  } finally {
    context.disable();
  }
  assert.equal(published.metadata.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.engine.queue('traced').url, MessageSystemAttributeNames: ['AWSTraceHeader'], WaitTimeSeconds: 5 }));
  assert.equal(out.Messages?.[0]?.Attributes?.AWSTraceHeader, 'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1');
});
