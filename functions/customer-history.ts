import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { defineHandler } from '../lib/runtime/index.ts';
import type { TopicMap } from '../schemas/types.ts';

const dynamodb = new DynamoDBClient({});

/** Appends the order to the customer's list; delivered in order per customer, so the list shows handling order. */
export default defineHandler<TopicMap, 'order.placed'>(async function customerHistory(order, _ctx) {
  await dynamodb.send(new UpdateItemCommand({
    TableName: process.env.CUSTOMER_HISTORY_TABLE,
    Key: { customerId: { S: order.customerId } },
    UpdateExpression: 'SET orders = list_append(if_not_exists(orders, :none), :order)',
    ExpressionAttributeValues: { ':none': { L: [] }, ':order': { L: [{ S: order.orderId }] } },
  }));
});
