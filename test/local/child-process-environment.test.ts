/**
 * Execution environments in child processes (a function whose runtime declares a Node major
 * other than the engine's, with a binary of that major found: here Node 24 from the
 * devDependency node-24): each is a process of its own, and the engine leaves none behind.
 * What both kinds of environment do alike is specified in function-runner.test.ts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { FunctionRunner } from '../../lib/local/lambda/function-runner.ts';
import type { InvocationFault } from '../../lib/local/lambda/function-pool.ts';
import type { LocalFunction } from '../../lib/local/assembly/app-model.ts';
import { CHILD_MAJOR } from './support/environment-kinds.ts';
import { waitFor } from './support/reference-flow.ts';

const dir = mkdtempSync(join(tmpdir(), 'busline-child-env-'));
writeFileSync(join(dir, 'app.mjs'), `
export const handler = async (event) => {
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return { pid: process.pid, node: process.version };
};`);
const fn = (over: Partial<LocalFunction>): LocalFunction => ({
  stackName: 'S', logicalId: 'Fn', name: 'fn', arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  codeDir: dir, handler: 'app.handler', runtime: `nodejs${CHILD_MAJOR}.x`, timeoutSeconds: 1, memoryMb: 128, environment: {}, ...over,
});
const faultOf = (event: unknown): InvocationFault | undefined => (event as { fault?: InvocationFault }).fault;
const runner = new FunctionRunner({
  endpoint: 'http://127.0.0.1:4999', region: 'eu-west-1', accountId: '000000000000', workDir: dir, maxWorkersPerFunction: 2,
  faults: (_fn, event) => faultOf(event),
});
runner.add(fn({}));
after(async () => { await runner.stop(); rmSync(dir, { recursive: true, force: true }); });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pidOf(name = 'fn'): Promise<number> {
  const r = await runner.invoke(name, {});
  assert.equal(r.ok, true, JSON.stringify(r));
  const v = r.value as { pid: number; node: string };
  assert.notEqual(v.pid, process.pid, 'the environment is a process of its own');
  assert.match(v.node, new RegExp(`^v${CHILD_MAJOR}\\.`));
  return v.pid;
}

test('a warm environment is one process, reused across invocations', async () => {
  assert.equal(await pidOf(), await pidOf());
});

test('a timed-out invocation ends its process; the next invocation runs in a new one', async () => {
  const pid = await pidOf();
  const slow = await runner.invoke('fn', { sleepMs: 5000 });
  assert.equal(slow.error?.errorType, 'Sandbox.Timedout');
  assert.equal(alive(pid), false);
  assert.notEqual(await pidOf(), pid);
});

for (const at of ['start', 'end'] as const) {
  test(`a crash fault at the invocation's ${at} kills the process, and the invocation fails as Runtime.ExitError`, async () => {
    const pid = await pidOf();
    const r = await runner.invoke('fn', { fault: { kind: 'crash', at } });
    assert.equal(r.ok, false);
    assert.equal(r.error?.errorType, 'Runtime.ExitError');
    assert.match(r.error!.errorMessage, /Runtime exited/);
    assert.equal(alive(pid), false);
  });
}

test('a timeout fault ends the process as a timed-out invocation does', async () => {
  const pid = await pidOf();
  const r = await runner.invoke('fn', { fault: { kind: 'timeout' } });
  assert.equal(r.timedOut, true);
  assert.equal(alive(pid), false);
});

test("stopping the runner ends every environment's process, idle or running", async () => {
  const own = new FunctionRunner({ endpoint: 'http://127.0.0.1:4999', region: 'eu-west-1', accountId: '000000000000', workDir: dir, maxWorkersPerFunction: 2 });
  own.add(fn({ name: 'a' }));
  own.add(fn({ name: 'b', timeoutSeconds: 30 }));
  const idle = ((await own.invoke('a', {})).value as { pid: number }).pid;
  const running = own.invoke('b', { sleepMs: 20_000 });
  const warm = ((await own.invoke('b', {})).value as { pid: number }).pid;
  await own.stop();
  assert.equal((await running).error?.errorType, 'Runtime.ExitError');
  assert.deepEqual([idle, warm].filter(alive), []);
});

test('an engine that is killed leaves no environment behind: each process ends when its channel to the engine closes', async () => {
  const engine = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'function-runner-child.ts'), JSON.stringify(fn({}))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(createInterface({ input: engine.stdout! }), 'line') as [string];
  const pid = (JSON.parse(line) as { value: { pid: number } }).value.pid;
  assert.equal(alive(pid), true);
  engine.kill('SIGKILL');
  await once(engine, 'exit');
  await waitFor(`the environment process ${pid} to end`, async () => (alive(pid) ? undefined : true), 10_000);
});
