import { defineHandler, dynamoDb, dynamoDbSdk } from 'busline/runtime';
import type { TopicMap } from '../schemas/types.ts';

/**
 * Reserves stock for an order. `runs` counts the order's successful runs, so a duplicate would
 * show as runs = 2: the write is declared with ctx.write, and the runtime commits it with the
 * dedupe mark in one transaction (exactly once). A sku starting with FAIL- always fails: the way
 * to watch retries and the DLQ at work. That run is counted with a direct write, which (unlike
 * a declared one) happens even though the handler fails, so each retry shows in `runs`. It goes
 * through the runtime's own DynamoDB client and SDK module (`dynamoDb()`, `dynamoDbSdk()`): one
 * client for the whole container, and no static import of the SDK to parse at cold start.
 */
export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async function reserveInventory(order, ctx) {
  const countRun = {
    TableName: process.env.RESERVATIONS_TABLE,
    Key: { orderId: { S: order.orderId } },
    UpdateExpression: 'ADD runs :one SET skus = :skus',
    ExpressionAttributeValues: {
      ':one': { N: '1' },
      ':skus': { L: order.items.map((i) => ({ S: i.sku })) },
    },
  };
  const failing = order.items.find((i) => i.sku.startsWith('FAIL-'));
  if (failing) {
    const [db, { UpdateItemCommand }] = await Promise.all([dynamoDb(), dynamoDbSdk()]);
    await db.send(new UpdateItemCommand(countRun));
    throw new Error(`no stock for sku ${failing.sku} (FAIL- skus always fail, to show retries and the DLQ)`);
  }
  ctx.write({ Update: countRun });
  await ctx.publish('inventory.reserved', { orderId: order.orderId, items: order.items });
});
