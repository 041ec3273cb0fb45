import { defineHandler } from 'busline/runtime';
import type { TopicMap } from '../schemas/types.ts';

/** Records the notification sent to the customer about their shipment (declared: committed once, with the dedupe mark). */
export default defineHandler<TopicMap, 'shipment.scheduled'>(async function notifyCustomer(shipment, ctx) {
  ctx.write({
    Put: {
      TableName: process.env.NOTIFICATIONS_TABLE,
      Item: {
        orderId: { S: shipment.orderId },
        carrier: { S: shipment.carrier },
        correlationId: { S: ctx.event.correlationId },
      },
    },
  });
  ctx.logger.info('customer notified', { orderId: shipment.orderId, carrier: shipment.carrier });
});
