/**
 * Lambda's Invoke on the engine's endpoint (`POST /2015-03-31/functions/{name}/invocations`) under
 * hostile input: every request is answered with 202 (the event handed to the function) or with
 * Lambda's error (4xx, `x-amzn-errortype` and `{ Type: "User", message }`: "Invoke", Lambda API
 * Reference, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html); the engine stays up;
 * an invocation answered 202 reached the function with the payload sent; and a payload over the
 * asynchronous quota (1 MB) is refused with RequestTooLargeException (413).
 * Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';
import type { LambdaInvokeContext, LambdaInvoker } from '../../lib/local/eventbridge/types.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';
import { assertAlive, send } from '../support/raw-wire.ts';
import { assertLambdaInvokeAnswer } from './support/aws-shape.ts';
import { anyJson, clientHeaders, hugeString, notAJsonObject } from './support/wire-inputs.ts';

const FILE = 'test/fuzz/lambda-invoke-wire.test.ts';
const KNOWN = 'arn:aws:lambda:us-east-1:000000000000:function:fuzz-fn';

/** A function runner that knows one function and records the payloads it is handed. */
class RecordingInvoker implements LambdaInvoker {
  readonly payloads: unknown[] = [];
  async invokeAsync(functionArn: string, payload: unknown, _context: LambdaInvokeContext): Promise<void> {
    if (functionArn !== KNOWN) throw new Error(`unknown function ${functionArn}`);
    this.payloads.push(payload);
  }
}

const invoker = new RecordingInvoker();
let fixture: EngineFixture;

before(async () => {
  fixture = await startEngine({ lambdaInvoker: invoker });
});
after(() => fixture?.close());

const functionName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fuzz-fn', encodeURIComponent(KNOWN), 'fuzz-fn%3A%24LATEST', 'nope', '%E0%A4%A', '%', '%00', 'fuzz-fn%2Fx') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 70 }).map((name) => encodeURIComponent(name)).filter((name) => name !== '.' && name !== '..') },
);
const payload = fc.oneof(
  { weight: 6, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? '') },
  { weight: 2, arbitrary: notAJsonObject },
  { weight: 1, arbitrary: hugeString.map((text) => JSON.stringify({ big: text })) },
  { weight: 1, arbitrary: fc.constantFrom(1024 * 1024 - 10, 1024 * 1024 - 9).map((size) => JSON.stringify({ big: 'x'.repeat(size) })) },
);
const invocationType = fc.option(fc.constantFrom('Event', 'RequestResponse', 'DryRun', 'event', ''), { nil: undefined });

test('every Lambda Invoke is answered 202 or with a Lambda error, the engine stays up, and a 202 reached the function', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(functionName, payload, invocationType, clientHeaders, async (name, body, type, headers) => {
      const before = invoker.payloads.length;
      const answer = await send(fixture.engine.endpoint, {
        path: `/2015-03-31/functions/${name}/invocations`,
        headers: { ...headers, ...(type !== undefined && { 'x-amz-invocation-type': type }) },
        body,
      });
      assertLambdaInvokeAnswer(answer);
      if (type === 'Event' && Buffer.byteLength(body) > 1024 * 1024) assert.equal(answer.status, 413, 'a payload over the 1 MB async quota must be refused with RequestTooLargeException');
      if (answer.status === 202) {
        assert.equal(invoker.payloads.length, before + 1, 'answered 202 but the function was not invoked');
        assert.deepEqual(invoker.payloads.at(-1), body === '' ? {} : JSON.parse(body));
      }
      await assertAlive(fixture.engine.endpoint);
    }),
    200,
  );
});
