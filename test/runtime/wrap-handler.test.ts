import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from 'aws-lambda';
import { wrapHandler, RuntimeOptionsError } from '../../lib/runtime/index.ts';
import { loadValidators } from '../support/fixture-validators.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, sqsRecord, subscriptionConfig } from './fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const quiet = { output: () => undefined };

test('a batch where every record succeeds returns an empty batchItemFailures and the handler sees each validated data', async () => {
  const seen: unknown[] = [];
  const handler = wrapHandler(async (data) => void seen.push(data), { config: subscriptionConfig(), validators, ...quiet });
  const records = [1, 2, 3].map((n) => sqsRecord(JSON.stringify(eventBridgeEvent('order.placed', { orderId: `o-${n}`, quantity: n }))));
  const response = await handler({ Records: records }, lambdaContext() as unknown as Context);
  assert.deepEqual(response, { batchItemFailures: [] });
  assert.deepEqual(seen, [1, 2, 3].map((n) => ({ orderId: `o-${n}`, quantity: n })));
});

test('the handler context carries the event id, topic, correlation id, causation id and attempt', async () => {
  let info: unknown;
  const handler = wrapHandler(async (_data, ctx) => void (info = ctx.event), { config: subscriptionConfig(), validators, ...quiet });
  const event = eventBridgeEvent('order.placed', { orderId: 'o-1', quantity: 1 }, { id: 'evt-a', correlationId: 'corr-1', causationId: 'evt-0' });
  await handler({ Records: [sqsRecord(JSON.stringify(event), { receiveCount: 3 })] }, lambdaContext() as unknown as Context);
  assert.deepEqual(info, { id: 'evt-a', topic: 'order.placed', source: 'busline.orders', time: event.time, correlationId: 'corr-1', causationId: 'evt-0', attempt: 3 });
});

test('an unknown option is an error naming the known ones', () => {
  assert.throws(
    () => wrapHandler(async () => undefined, { config: subscriptionConfig(), validators, timeoutMargin: 5 } as never),
    (err: unknown) => err instanceof RuntimeOptionsError && /unknown option "timeoutMargin".*timeoutMarginMs/.test(err.message),
  );
});
