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
