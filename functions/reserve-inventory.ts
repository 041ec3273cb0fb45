import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { defineHandler } from '../lib/runtime/index.ts';
import type { TopicMap } from '../schemas/types.ts';

const dynamodb = new DynamoDBClient({});

/**
 * Reserves stock for an order. `runs` counts every run for the order, so duplicates and
 * retries are visible from outside. A sku starting with FAIL- always fails (after counting
 * the run): the way to watch retries and the DLQ at work.
 */
export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async function reserveInventory(order, ctx) {
  await dynamodb.send(new UpdateItemCommand({
    TableName: process.env.RESERVATIONS_TABLE,
    Key: { orderId: { S: order.orderId } },
    UpdateExpression: 'ADD runs :one SET skus = :skus',
    ExpressionAttributeValues: {
      ':one': { N: '1' },
      ':skus': { L: order.items.map((i) => ({ S: i.sku })) },
    },
  }));
  const failing = order.items.find((i) => i.sku.startsWith('FAIL-'));
  if (failing) throw new Error(`no stock for sku ${failing.sku} (FAIL- skus always fail, to show retries and the DLQ)`);
  await ctx.publish('inventory.reserved', { orderId: order.orderId, items: order.items });
});
