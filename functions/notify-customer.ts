import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { HandlerContext } from '../lib/runtime/handler-types.ts';

interface ShipmentScheduled {
  orderId: string;
  carrier: string;
}

const dynamodb = new DynamoDBClient({});

/** Records the notification sent to the customer about their shipment. */
export default async function notifyCustomer(shipment: ShipmentScheduled, ctx: HandlerContext): Promise<void> {
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.NOTIFICATIONS_TABLE,
    Item: {
      orderId: { S: shipment.orderId },
      carrier: { S: shipment.carrier },
      correlationId: { S: ctx.event.correlationId },
    },
  }));
  ctx.logger.info('customer notified', { orderId: shipment.orderId, carrier: shipment.carrier });
}
