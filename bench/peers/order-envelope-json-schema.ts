/**
 * The scope Busline validates as a JSON Schema (no imports, so an Ajv bundle carries no zod):
 * an EventBridge event with string id, detail-type and source whose detail is exactly
 * { metadata?: object, data }, data matching the topic's schema.
 */
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

