import { defineHandler } from 'busline/runtime';
import type { TopicMap } from '../schemas/types.ts';

/**
 * Books a carrier (freight for more than 10 units, parcel otherwise) and announces it. The
 * booking is declared with ctx.write (committed once, with the dedupe mark); the announcement
 * is sent just before that commit, with an id a re-run would reuse.
 */
export default defineHandler<TopicMap, 'inventory.reserved', 'shipment.scheduled'>(async function scheduleShipment(reserved, ctx) {
  const units = reserved.items.reduce((n, i) => n + i.qty, 0);
  const carrier = units > 10 ? 'freight' : 'parcel';
  ctx.write({
    Put: {
      TableName: process.env.SHIPMENTS_TABLE,
      Item: { orderId: { S: reserved.orderId }, carrier: { S: carrier }, units: { N: String(units) } },
    },
  });
  await ctx.publish('shipment.scheduled', { orderId: reserved.orderId, carrier });
});
