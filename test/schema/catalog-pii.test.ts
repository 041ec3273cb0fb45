/**
 * The catalog and PII mask mode: a field its schema marks `"x-busline-pii"` (and every field
 * inside it) says it is masked (or, `"encrypt"`, encrypted), and the values its schema spells out (`const`, `enum`) show as
 * `***`, as in Busline's other outputs; other fields are listed as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCatalog } from '../../lib/schema/catalog.ts';
import type { TopicSchemas } from '../../lib/schema/schema-set.ts';

const SCHEMA = {
  type: 'object',
  required: ['email'],
  properties: {
    email: { type: 'string', format: 'email', 'x-busline-pii': true, enum: ['ada@example.com', 'grace@example.com'] },
    address: { type: 'object', 'x-busline-pii': 'mask', properties: { street: { type: 'string', const: '1 Analytical Row' } } },
    plan: { type: 'string', enum: ['free', 'pro'] },
    card: { type: 'string', 'x-busline-pii': 'encrypt', const: '4111 1111 1111 1111' },
  },
};
const V1 = { topic: 'user.signed-up', version: 1, file: '/p/schemas/user.signed-up/v1.json', schema: SCHEMA };
const topics = new Map<string, TopicSchemas>([['user.signed-up', { topic: 'user.signed-up', versions: [V1], latest: V1 }]]);
const catalog = renderCatalog({ flows: [], topics, baseDir: '/p' });

test('a PII field is marked masked and the values its schema lists show as ***', () => {
  assert.ok(catalog.includes('| `email` | string | yes | PII (masked), format email, one of ***, *** |  |'), catalog);
  assert.ok(!catalog.includes('ada@example.com'));
});

test('a field inside a PII object is marked masked too, its const shown as ***', () => {
  assert.ok(catalog.includes('| `address.street` | string | no | PII (masked), = *** |  |'), catalog);
  assert.ok(!catalog.includes('Analytical'));
});

test('a field not marked PII lists its values', () => {
  assert.ok(catalog.includes('| `plan` | string | no | one of "free", "pro" |  |'), catalog);
});

test('an encrypted PII field is marked encrypted and the values its schema lists show as ***', () => {
  assert.ok(catalog.includes('| `card` | string | no | PII (encrypted), = *** |  |'), catalog);
  assert.ok(!catalog.includes('4111'));
});
