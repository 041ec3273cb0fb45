/**
 * The engine's asynchronous invoke (rule → Lambda) runs every attempt at one event with one
 * request id, as Lambda does: the AWS knowledge-center article on duplicate invocations
 * (https://repost.aws/knowledge-center/lambda-function-duplicate-invocations) reads invocations
 * that failed with the same request id as the Lambda service's retries. The Busline runtime
 * counts a direct event's attempts by that id (lib/runtime/attempts/attempt-ledger.ts).
 * Retry delays: "How Lambda handles errors and retries with asynchronous invocation"
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html), shortened here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FunctionRunner } from '../../lib/local/lambda/function-runner.ts';
import { AsyncInvoker, type InvocationRecord } from '../../lib/local/lambda/async-invoker.ts';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'busline-async-'));
const seen = join(dir, 'request-ids.txt');
writeFileSync(join(dir, 'app.mjs'), `
import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(${JSON.stringify(seen)}, event.n + ' ' + context.awsRequestId + '\\n');
  throw new Error('always fails');
};`);

let f: EngineFixture;
let runner: FunctionRunner;
let failures: string;

before(async () => {
  f = await startEngine();
  failures = f.engine.createQueue('on-failure').url;
  runner = new FunctionRunner({ endpoint: f.engine.endpoint, region: 'us-east-1', accountId: '000000000000', workDir: dir });
  runner.add({
    stackName: 'S', logicalId: 'Fn', name: 'failing', arn: 'arn:aws:lambda:us-east-1:000000000000:function:failing',
    codeDir: dir, handler: 'app.handler', runtime: 'nodejs22.x', timeoutSeconds: 5, memoryMb: 128, environment: {},
  });
});
after(async () => {
  await runner.stop();
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the attempts at one asynchronous event share one request id, which the on-failure record names; another event gets another id', async () => {
  const invoker = new AsyncInvoker([{
    stackName: 'S', logicalId: 'Cfg', functionName: 'failing', maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600,
    onFailureArn: f.engine.queue('on-failure').arn,
  }], { retryBaseDelayMs: 1 });
  invoker.attach(runner, f.engine);
  const delivery = (eventId: string) => ({ attempt: 1, eventId, ruleName: 'to-failing', busName: 'default' });
  await invoker.invokeAsync('failing', { n: 1 }, delivery('e-1'));
  await invoker.invokeAsync('failing', { n: 2 }, delivery('e-2'));

  const lines = readFileSync(seen, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
  const idsOf = (n: string) => lines.filter(([event]) => event === n).map(([, id]) => id);
  assert.equal(idsOf('1').length, 3, 'the first call and its two retries');
  assert.equal(new Set(idsOf('1')).size, 1, 'one request id for all of them');
  assert.equal(new Set(idsOf('2')).size, 1);
  assert.notEqual(idsOf('1')[0], idsOf('2')[0], 'each event its own');

  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: failures, MaxNumberOfMessages: 10 }));
  const records = (out.Messages ?? []).map((m) => JSON.parse(m.Body!) as InvocationRecord);
  assert.deepEqual(records.map((r) => [r.requestContext.requestId, r.requestContext.approximateInvokeCount]).sort(), [
    [idsOf('1')[0], 3],
    [idsOf('2')[0], 3],
  ].sort());
});
