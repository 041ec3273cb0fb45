import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { defineHandler } from '../lib/runtime/index.ts';
import type { TopicMap } from '../schemas/types.ts';

const dynamodb = new DynamoDBClient({});

/** Records the notification sent to the customer about their shipment. */
export default defineHandler<TopicMap, 'shipment.scheduled'>(async function notifyCustomer(shipment, ctx) {
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.NOTIFICATIONS_TABLE,
    Item: {
      orderId: { S: shipment.orderId },
      carrier: { S: shipment.carrier },
      correlationId: { S: ctx.event.correlationId },
    },
  }));
  ctx.logger.info('customer notified', { orderId: shipment.orderId, carrier: shipment.carrier });
});
