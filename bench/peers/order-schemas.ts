/**
 * The order.placed schema in the forms each peer takes: zod for Powertools' parser (what
 * a Powertools team would write by hand, mirroring the JSON Schema), and a JSON Schema of
 * the whole SQS batch for @middy/validator, which validates the event as one object.
 */
import { z } from 'zod';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { OrderPlacedZod } from './order-scope-zod.ts';

export { OrderPlacedZod };

export const EnvelopeZod = z.object({
  metadata: z
    .object({
      id: z.string(),
      correlationId: z.string(),
      causationId: z.string(),
      schemaVersion: z.number().int(),
      publishedAt: z.string(),
      traceparent: z.string(),
    })
    .partial()
    .optional(),
  data: OrderPlacedZod,
});

/** An EventBridge event (Powertools' own schema) whose detail is the Busline envelope. */
export const OrderPlacedEventZod = EventBridgeSchema.extend({ detail: EnvelopeZod });

/**
 * For @middy/validator after @middy/event-normalizer has parsed each body: the data of
 * every record must match the topic's schema.
 */
export function sqsBatchJsonSchema(dataSchema: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    required: ['Records'],
    properties: {
      Records: {
        type: 'array',
        items: {
          type: 'object',
          required: ['body'],
          properties: {
            body: {
              type: 'object',
              required: ['detail'],
              properties: {
                detail: { type: 'object', required: ['data'], properties: { data: dataSchema } },
              },
            },
          },
        },
      },
    },
  };
}
