import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { HandlerContext } from '../lib/runtime/handler-types.ts';

interface OrderPlaced {
  orderId: string;
  customerId: string;
}

const dynamodb = new DynamoDBClient({});

/** Appends the order to the customer's list; delivered in order per customer, so the list shows handling order. */
export default async function customerHistory(order: OrderPlaced, _ctx: HandlerContext): Promise<void> {
  await dynamodb.send(new UpdateItemCommand({
    TableName: process.env.CUSTOMER_HISTORY_TABLE,
    Key: { customerId: { S: order.customerId } },
    UpdateExpression: 'SET orders = list_append(if_not_exists(orders, :none), :order)',
    ExpressionAttributeValues: { ':none': { L: [] }, ':order': { L: [{ S: order.orderId }] } },
  }));
}
