/**
 * The invocation's middleware chain runs hooks as @middy/core runs them around a handler that
 * does nothing: each scenario runs the same middlewares through both and compares the hooks
 * called, in order, and the answer or error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { middlewareChain } from '../../../lib/runtime/middleware/middleware-chain.ts';

type Behaviour = 'pass' | 'throw' | 'answer';
type Plan = Partial<Record<'before' | 'after' | 'onError', Behaviour>>;

/** Middlewares named m0, m1, … whose hooks log their call and behave as planned. */
function middlewares(plans: readonly Plan[], log: string[]): MiddlewareObj[] {
  return plans.map((plan, i) => {
    const m: MiddlewareObj = {};
    for (const hook of ['before', 'after', 'onError'] as const) {
      const behaviour = plan[hook];
      if (!behaviour) continue;
      m[hook] = async (request: Request) => {
        log.push(`m${i}.${hook}${hook === 'onError' ? `(${(request.error as Error).message})` : ''}`);
        if (behaviour === 'throw') throw new Error(`m${i}.${hook} threw`);
        if (behaviour === 'answer') return `answer of m${i}.${hook}`;
        return undefined;
      };
    }
    return m;
  });
}

async function outcome(run: () => Promise<unknown>): Promise<{ answer?: unknown; error?: string; originalError?: string }> {
  try {
    return { answer: await run() };
  } catch (error) {
    const original = (error as { originalError?: Error }).originalError;
    return { error: (error as Error).message, ...(original ? { originalError: original.message } : {}) };
  }
}

async function both(plans: readonly Plan[]): Promise<{ chain: unknown; middy: unknown }> {
  const context = {} as Context;
  const chainLog: string[] = [];
  const chainResult = await outcome(() => middlewareChain(middlewares(plans, chainLog))({}, context));
  const middyLog: string[] = [];
  const middyHandler = middy(async () => undefined, { timeoutEarlyInMillis: 0 }).use(middlewares(plans, middyLog));
  const middyResult = await outcome(() => middyHandler({}, context));
  return { chain: { log: chainLog, ...chainResult }, middy: { log: middyLog, ...middyResult } };
}

test('before hooks run in use order, after hooks in reverse, as middy runs them', async () => {
  const { chain, middy: expected } = await both([{ before: 'pass', after: 'pass' }, { before: 'pass' }, { after: 'pass', onError: 'pass' }]);
  assert.deepEqual(chain, expected);
  assert.deepEqual((chain as { log: string[] }).log, ['m0.before', 'm1.before', 'm2.after', 'm0.after']);
});

test('a before that returns a value answers early: no later before and no after runs', async () => {
  const { chain, middy: expected } = await both([{ before: 'pass', after: 'pass' }, { before: 'answer', after: 'pass' }, { before: 'pass' }]);
  assert.deepEqual(chain, expected);
  assert.equal((chain as { answer: unknown }).answer, 'answer of m1.before');
});

test('an after that returns a value answers: the afters outside it do not run', async () => {
  const { chain, middy: expected } = await both([{ after: 'pass' }, { after: 'answer' }, { after: 'pass' }]);
  assert.deepEqual(chain, expected);
});

test('a throwing hook runs the onError hooks in reverse order, and the error is thrown when none answers', async () => {
  const { chain, middy: expected } = await both([{ onError: 'pass' }, { before: 'pass', onError: 'pass' }, { before: 'throw' }, { before: 'pass' }]);
  assert.deepEqual(chain, expected);
  assert.equal((chain as { error: string }).error, 'm2.before threw');
});

test('an onError that returns a value answers the invocation and stops the onErrors outside it', async () => {
  const { chain, middy: expected } = await both([{ onError: 'pass' }, { onError: 'answer' }, { after: 'throw', onError: 'pass' }]);
  assert.deepEqual(chain, expected);
  assert.equal((chain as { answer: unknown }).answer, 'answer of m1.onError');
});

test('an onError that throws is what the invocation throws, with the first error as its originalError', async () => {
  const { chain, middy: expected } = await both([{ onError: 'pass' }, { onError: 'throw' }, { before: 'throw' }]);
  assert.deepEqual(chain, expected);
  assert.deepEqual(chain, { log: ['m2.before', 'm1.onError(m2.before threw)'], error: 'm1.onError threw', originalError: 'm2.before threw' });
});
