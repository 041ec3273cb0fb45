/**
 * order.placed in zod, in a module of its own so a bundle that needs only these schemas does
 * not carry Powertools' parser schemas: the data (what a Powertools team would write by hand,
 * mirroring schemas/order.placed/v1.json) and the scope Busline validates around it.
 */
import { z } from 'zod';

export const OrderPlacedZod = z
  .object({
    orderId: z.string().min(1),
    customerId: z.string().min(1),
    items: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().min(1) })).min(1),
    total: z.number().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/),
  });

/**
 * The scope Busline checks (lib/runtime/middleware/envelope.ts decodes, the generated
 * validator checks data): an EventBridge event with string id, detail-type and source whose
 * detail is exactly { metadata?: object, data }, data matching the topic's schema.
 */
export const OrderPlacedScopeZod = z.object({
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  detail: z.strictObject({ metadata: z.record(z.string(), z.unknown()).optional(), data: OrderPlacedZod }),
});

