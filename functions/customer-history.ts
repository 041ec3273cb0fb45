import { defineHandler } from 'busline/runtime';
import type { TopicMap } from '../schemas/types.ts';

/**
 * Appends the order to the customer's list; delivered in order per customer, so the list shows
 * handling order. Declared with ctx.write: committed once, with the dedupe mark.
 */
export default defineHandler<TopicMap, 'order.placed'>(async function customerHistory(order, ctx) {
  ctx.write({
    Update: {
      TableName: process.env.CUSTOMER_HISTORY_TABLE,
      Key: { customerId: { S: order.customerId } },
      UpdateExpression: 'SET orders = list_append(if_not_exists(orders, :none), :order)',
      ExpressionAttributeValues: { ':none': { L: [] }, ':order': { L: [{ S: order.orderId }] } },
    },
  });
});
