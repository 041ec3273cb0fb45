/**
 * The order.placed schema in the forms each peer takes: zod for Powertools' parser (what
 * a Powertools team would write by hand, mirroring the JSON Schema), and a JSON Schema of
 * the whole SQS batch for @middy/validator, which validates the event as one object.
 */
import { z } from 'zod';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';

export const OrderPlacedZod = z
  .object({
    orderId: z.string().min(1),
    customerId: z.string().min(1),
    items: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().min(1) })).min(1),
    total: z.number().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
;

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

/** The same scope as a JSON Schema around the topic's schema of `data`, for Ajv. */
export function envelopeJsonSchema(dataSchema: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    required: ['id', 'detail-type', 'source', 'detail'],
    properties: {
      id: { type: 'string' },
      'detail-type': { type: 'string' },
      source: { type: 'string' },
      detail: { type: 'object', required: ['data'], additionalProperties: false, properties: { metadata: { type: 'object' }, data: dataSchema } },
    },
  };
}

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
