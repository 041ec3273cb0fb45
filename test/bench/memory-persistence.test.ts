import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { lambdaContext } from '../../bench/fixtures/order-events.ts';
import { MemoryPersistenceLayer } from '../../bench/peers/memory-persistence.ts';

test('the in-memory Powertools persistence layer runs a function once per key, as the DynamoDB layer does', async () => {
  let runs = 0;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id' });
  config.registerLambdaContext(lambdaContext());
  const once = makeIdempotent(async (_event: { id: string }) => ++runs, { persistenceStore: new MemoryPersistenceLayer(), config });
  assert.equal(await once({ id: 'a' }), 1);
  assert.equal(await once({ id: 'a' }), 1, 'the duplicate returns the stored result');
  assert.equal(await once({ id: 'b' }), 2);
  assert.equal(runs, 2);
});

test('a failed run leaves no record behind, so the retry runs', async () => {
  let calls = 0;
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id' });
  config.registerLambdaContext(lambdaContext());
  const flaky = makeIdempotent(
    async (_event: { id: string }) => {
      calls++;
      if (calls === 1) throw new Error('first attempt fails');
      return 'ok';
    },
    { persistenceStore: new MemoryPersistenceLayer(), config },
  );
  await assert.rejects(flaky({ id: 'k' }), /first attempt fails/);
  assert.equal(await flaky({ id: 'k' }), 'ok');
  assert.equal(calls, 2);
});
