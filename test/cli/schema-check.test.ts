import { test } from 'node:test';
import assert from 'node:assert/strict';
import { examplePayload, validatePayload } from '../../lib/cli/schema-check.ts';

const schema = {
  type: 'object', required: ['orderId', 'items', 'currency'],
  properties: {
    orderId: { type: 'string' },
    items: { type: 'array', minItems: 1, items: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer', minimum: 1 } } } },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
};

test('the example payload for the printed publish command is valid against the schema', () => {
  assert.doesNotThrow(() => validatePayload(schema, 'order.placed', 1, examplePayload(schema)));
});

test('an invalid payload is rejected before sending, naming each violation', () => {
  assert.throws(() => validatePayload(schema, 'order.placed', 1, { orderId: 'o', items: [], currency: 'eur' }), (e: Error) =>
    e.name === 'PayloadInvalidError' && /nothing was sent/.test(e.message) && /\/items/.test(e.message) && /\/currency/.test(e.message));
});
