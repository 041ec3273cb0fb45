import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { defineHandler } from '../lib/runtime/index.ts';
import type { TopicMap } from '../schemas/types.ts';

const dynamodb = new DynamoDBClient({});

/** Books a carrier (freight for more than 10 units, parcel otherwise) and announces it. */
export default defineHandler<TopicMap, 'inventory.reserved', 'shipment.scheduled'>(async function scheduleShipment(reserved, ctx) {
  const units = reserved.items.reduce((n, i) => n + i.qty, 0);
  const carrier = units > 10 ? 'freight' : 'parcel';
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.SHIPMENTS_TABLE,
    Item: { orderId: { S: reserved.orderId }, carrier: { S: carrier }, units: { N: String(units) } },
  }));
  await ctx.publish('shipment.scheduled', { orderId: reserved.orderId, carrier });
});
