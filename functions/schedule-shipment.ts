import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { HandlerContext } from '../lib/runtime/handler-types.ts';

interface InventoryReserved {
  orderId: string;
  items: { sku: string; qty: number }[];
}

const dynamodb = new DynamoDBClient({});

/** Books a carrier (freight for more than 10 units, parcel otherwise) and announces it. */
export default async function scheduleShipment(reserved: InventoryReserved, ctx: HandlerContext): Promise<void> {
  const units = reserved.items.reduce((n, i) => n + i.qty, 0);
  const carrier = units > 10 ? 'freight' : 'parcel';
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.SHIPMENTS_TABLE,
    Item: { orderId: { S: reserved.orderId }, carrier: { S: carrier }, units: { N: String(units) } },
  }));
  await ctx.publish('shipment.scheduled', { orderId: reserved.orderId, carrier });
}
