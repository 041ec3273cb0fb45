import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionRunner } from '../../lib/local/lambda/function-runner.ts';
import type { LocalFunction } from '../../lib/local/assembly/app-model.ts';
import { ENVIRONMENT_KINDS } from './support/environment-kinds.ts';

const dir = mkdtempSync(join(tmpdir(), 'busline-fn-'));
writeFileSync(join(dir, 'app.mjs'), `
import { SQSClient } from '@aws-sdk/client-sqs';
let invocations = 0;
export const handler = async (event, context) => {
  invocations++;
  console.log('event', event.n);
  console.error('to stderr');
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.fail) throw new TypeError('bad input ' + event.n);
  if (event.throwLater) { setTimeout(() => { throw new RangeError('thrown outside the handler'); }, 1); await new Promise((r) => setTimeout(r, 500)); }
  if (event.exitWith !== undefined) process.exit(event.exitWith);
  return {
    invocations, table: process.env.TABLE_NAME, endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION,
    name: process.env.AWS_LAMBDA_FUNCTION_NAME, remaining: context.getRemainingTimeInMillis(), fn: context.functionName,
    sdk: typeof SQSClient, node: process.version, heapLimit: (await import('node:v8')).getHeapStatistics().heap_size_limit,
  };
};`);
writeFileSync(join(dir, 'broken.mjs'), 'export const other = 1;');
writeFileSync(join(dir, 'two-lines.mjs'), `export const handler = async () => { process.stdout.write('first\\nsecond\\n'); };`);
writeFileSync(join(dir, 'requires-sdk.mjs'), `
import { createRequire } from 'node:module';
export const handler = async () => ({ sdk: typeof createRequire(import.meta.url)('@aws-sdk/client-sqs').SQSClient });`);

const fn = (runtime: string, over: Partial<LocalFunction>): LocalFunction => ({
  stackName: 'S', logicalId: 'Fn', name: 'S-Fn-ABC', arn: 'arn:aws:lambda:us-east-1:000000000000:function:S-Fn-ABC',
  codeDir: dir, handler: 'app.handler', runtime, timeoutSeconds: 2, memoryMb: 128,
  environment: { TABLE_NAME: 'Orders-Table-X' }, ...over,
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Every behaviour holds in both kinds of execution environment: a worker thread of the engine
// (the runtime declares the engine's own Node major) and a child process on the Node binary of
// the runtime's declared major (environment-channel.ts).
for (const { kind, runtime, major, environment } of ENVIRONMENT_KINDS) describe(kind, () => {
  const runner = new FunctionRunner({ endpoint: 'http://127.0.0.1:4999', region: 'eu-west-1', accountId: '000000000000', workDir: dir });
  runner.add(fn(runtime, {}));
  runner.add(fn(runtime, { name: 'short', timeoutSeconds: 1 }));
  runner.add(fn(runtime, { name: 'broken', handler: 'broken.handler' }));
  runner.add(fn(runtime, { name: 'requires-sdk', handler: 'requires-sdk.handler' }));
  runner.add(fn(runtime, { name: 'two-lines', handler: 'two-lines.handler' }));
  runner.add(fn(runtime, { name: 'inline', codeDir: undefined, inlineCode: 'exports.handler = async (e) => ({ cjs: typeof require, e });', handler: 'index.handler' }));
  after(() => runner.stop());

  test(`runs on the Node its runtime declares (${runtime}: Node ${major}) in a ${environment}`, async () => {
    assert.equal(runner.runtimeNode(runtime).environment, environment);
    const r = await runner.invoke('S-Fn-ABC', { n: 1 });
    assert.match((r.value as { node: string }).node, new RegExp(`^v${major}\\.`));
  });

  test('a function sees its template variables, the engine endpoint, region, its name and a context with remaining time', async () => {
    const r = await runner.invoke('S-Fn-ABC', { n: 1 });
    assert.equal(r.ok, true);
    const v = r.value as Record<string, unknown>;
    assert.equal(v.table, 'Orders-Table-X');
    assert.equal(v.endpoint, 'http://127.0.0.1:4999');
    assert.equal(v.region, 'eu-west-1');
    assert.equal(v.name, 'S-Fn-ABC');
    assert.equal(v.fn, 'S-Fn-ABC');
    assert.ok((v.remaining as number) > 0 && (v.remaining as number) <= 2000);
  });

  test('the AWS SDK resolves for bundles that mark it external, as on the Lambda runtime', async () => {
    const r = await runner.invoke('S-Fn-ABC', { n: 2 });
    assert.equal((r.value as { sdk: string }).sdk, 'function');
  });

  test('CommonJS require() of the AWS SDK resolves too, through NODE_PATH as on the Lambda runtime', async () => {
    const r = await runner.invoke('requires-sdk', {});
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal((r.value as { sdk: string }).sdk, 'function');
  });

  test('a warm environment is reused: module state survives between invocations', async () => {
    const a = await runner.invoke('short', { n: 1 });
    const b = await runner.invoke('short', { n: 2 });
    assert.equal((b.value as { invocations: number }).invocations, (a.value as { invocations: number }).invocations + 1);
  });

  test('console output is captured per invocation, in order, with stderr as error level', async () => {
    const r = await runner.invoke('S-Fn-ABC', { n: 7 });
    assert.deepEqual(r.logs, [{ level: 'info', text: 'event 7' }, { level: 'error', text: 'to stderr' }]);
  });

  test('one stdout write of several lines is captured as one log line each', async () => {
    const r = await runner.invoke('two-lines', {});
    assert.deepEqual(r.logs, [{ level: 'info', text: 'first' }, { level: 'info', text: 'second' }]);
  });

  test('a thrown error is reported in Lambda error shape (errorType, errorMessage, stackTrace)', async () => {
    const r = await runner.invoke('S-Fn-ABC', { n: 3, fail: true });
    assert.equal(r.ok, false);
    assert.equal(r.error?.errorType, 'TypeError');
    assert.equal(r.error?.errorMessage, 'bad input 3');
    assert.ok(Array.isArray(r.error?.stackTrace));
  });

  test('the template timeout is enforced: the environment is ended and the next invocation cold-starts', async () => {
    await runner.invoke('short', { n: 1 });
    const slow = await runner.invoke('short', { n: 2, sleepMs: 5000 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.error?.errorType, 'Sandbox.Timedout');
    assert.match(slow.error!.errorMessage, /Task timed out after 1\.00 seconds/);
    const next = await runner.invoke('short', { n: 3 });
    assert.equal((next.value as { invocations: number }).invocations, 1);
  });

  test('a handler that is not exported fails with Runtime.HandlerNotFound', async () => {
    const r = await runner.invoke('broken', {});
    assert.equal(r.error?.errorType, 'Runtime.HandlerNotFound');
  });

  test('inline code (Code.ZipFile) runs as CommonJS index.js', async () => {
    const r = await runner.invoke('inline', { x: 1 });
    assert.deepEqual(r.value, { cjs: 'function', e: { x: 1 } });
  });

  test('an unknown function is a ResourceNotFoundException', async () => {
    await assert.rejects(runner.invoke('nope', {}), { name: 'ResourceNotFoundException' });
  });

  test('an error thrown outside the handler ends the environment: the invocation fails as Runtime.ExitError with its message', async () => {
    const r = await runner.invoke('S-Fn-ABC', { throwLater: true });
    assert.equal(r.error?.errorType, 'Runtime.ExitError');
    assert.match(r.error!.errorMessage, /Runtime exited with error: thrown outside the handler/);
  });

  test('a handler that exits the process fails as Runtime.ExitError with its exit status, and the next invocation cold-starts', async () => {
    await runner.invoke('short', { n: 1 });
    const r = await runner.invoke('short', { exitWith: 3 });
    assert.equal(r.error?.errorType, 'Runtime.ExitError');
    assert.match(r.error!.errorMessage, /Runtime exited with error: exit status 3/);
    const next = await runner.invoke('short', { n: 2 });
    assert.equal((next.value as { invocations: number }).invocations, 1);
  });

  test("the heap is bounded by the function's memory setting", async () => {
    // Lambda's MemorySize bounds the function's memory; locally it bounds the V8 old generation
    // (128 MB here), to which V8 adds its young generation: well under twice the setting.
    const r = await runner.invoke('S-Fn-ABC', { n: 1 });
    const limitMb = (r.value as { heapLimit: number }).heapLimit / 2 ** 20;
    assert.ok(limitMb >= 128 && limitMb < 256, `heap limit ${limitMb} MB`);
  });
});
