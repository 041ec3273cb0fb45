/**
 * Lambda Invoke on the engine's endpoint, asynchronous only: the payload goes to the engine's
 * function invoker as an async invocation and the call answers 202; errors come back as Lambda
 * sends them. "Invoke", Lambda API Reference (InvocationType Event: the function is invoked
 * asynchronously; the response is 202 with no payload):
 * https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LambdaInvokeContext, LambdaInvoker } from '../../lib/local/eventbridge/types.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from './support/engine-fixture.ts';
import { send } from '../support/raw-wire.ts';

const KNOWN = 'arn:aws:lambda:us-east-1:000000000000:function:greet';

/** An invoker that knows one function and records what it was handed. */
class RecordingInvoker implements LambdaInvoker {
  readonly calls: { functionArn: string; payload: unknown; context: LambdaInvokeContext }[] = [];
  async invokeAsync(functionArn: string, payload: unknown, context: LambdaInvokeContext): Promise<void> {
    if (functionArn !== KNOWN) throw new Error(`unknown function ${functionArn}`);
    this.calls.push({ functionArn, payload, context });
    await new Promise((r) => setTimeout(r, 10));
  }
}

let fixture: EngineFixture;
let lambda: LambdaClient;
const invoker = new RecordingInvoker();

before(async () => {
  fixture = await startEngine({ lambdaInvoker: invoker });
  lambda = new LambdaClient({ endpoint: fixture.engine.endpoint, region: fixture.engine.region, credentials: TEST_CREDENTIALS });
});
after(async () => {
  lambda?.destroy();
  await fixture?.close();
});

test('an Event invoke by function name hands the payload to that function asynchronously and answers 202', async () => {
  const event = { id: 'eb-1', 'detail-type': 'greeting.sent', detail: { data: { name: 'Ada' } } };
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'greet', InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  assert.equal(out.StatusCode, 202);
  const call = invoker.calls.at(-1)!;
  assert.equal(call.functionArn, KNOWN);
  assert.deepEqual(call.payload, event);
  assert.equal(call.context.eventId, 'eb-1');
});

test('an Event invoke by function ARN reaches the same function', async () => {
  const before = invoker.calls.length;
  await lambda.send(new InvokeCommand({ FunctionName: KNOWN, InvocationType: 'Event', Payload: new TextEncoder().encode('{}') }));
  assert.equal(invoker.calls.length, before + 1);
});

test('an invoke of a function the engine does not run fails with ResourceNotFoundException', async () => {
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'Event', Payload: new TextEncoder().encode('{}') })),
    (error: Error) => error.name === 'ResourceNotFoundException' && /nope/.test(error.message),
  );
});

test('a synchronous invoke is refused with InvalidParameterValueException, saying to send Event', async () => {
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: 'greet', Payload: new TextEncoder().encode('{}') })),
    (error: Error) => error.name === 'InvalidParameterValueException' && /X-Amz-Invocation-Type: Event/.test(error.message),
  );
});

test('a payload that is not JSON is refused with InvalidRequestContentException', async () => {
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: 'greet', InvocationType: 'Event', Payload: new TextEncoder().encode('not json') })),
    (error: Error) => error.name === 'InvalidRequestContentException',
  );
});

// "Invoke", Lambda API Reference (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
// RequestTooLargeException, HTTP 413, "The request payload exceeded the Invoke request body JSON
// input quota"; the asynchronous quota is 1 MB since 2026-01-29 (AWS-FACTS.md). Found by the
// Lambda wire fuzzer: such payloads used to be accepted.
test('an Event payload over 1 MB is refused with RequestTooLargeException (413) and never reaches the function', async () => {
  const before = invoker.calls.length;
  const payload = JSON.stringify({ big: 'x'.repeat(1024 * 1024) });
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: 'greet', InvocationType: 'Event', Payload: new TextEncoder().encode(payload) })),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.name === 'RequestTooLargeException' && error.$metadata?.httpStatusCode === 413,
  );
  assert.equal(invoker.calls.length, before);
});

test('an Event payload of exactly 1 MB is accepted', async () => {
  const payload = JSON.stringify({ big: 'x'.repeat(1024 * 1024 - 10) });
  assert.equal(Buffer.byteLength(payload), 1024 * 1024);
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'greet', InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }));
  assert.equal(out.StatusCode, 202);
});

// Same page: FunctionName is a name or ARN, sent URL-encoded in the path; a path segment that is
// not valid percent-encoding names no function. Found by the Lambda wire fuzzer (it was a 500).
test('a function name that is not valid percent-encoding is refused with ValidationException (400), not a service error', async () => {
  const answer = await send(fixture.engine.endpoint, { path: '/2015-03-31/functions/%E0%A4%A/invocations', headers: { 'x-amz-invocation-type': 'Event' }, body: '{}' });
  assert.equal(answer.status, 400);
  assert.equal(answer.headers['x-amzn-errortype'], 'ValidationException');
  assert.deepEqual(Object.keys(JSON.parse(answer.text) as object).sort(), ['Type', 'message']);
});
