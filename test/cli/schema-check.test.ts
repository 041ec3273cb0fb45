import { test } from 'node:test';
import assert from 'node:assert/strict';
import { examplePayload, validatePayload, PayloadExampleError } from '../../lib/cli/schema-check.ts';
import type { JsonSchema } from '../../lib/schema/schema-set.ts';

const signup = {
  type: 'object', required: ['userId', 'email', 'signedUpAt'],
  properties: {
    userId: { type: 'string', format: 'uuid' },
    email: { type: 'string', format: 'email' },
    signedUpAt: { type: 'string', format: 'date-time' },
    referrer: { type: 'string', format: 'uri' },
  },
};

const order = {
  type: 'object', required: ['orderId', 'items', 'currency'],
  properties: {
    orderId: { type: 'string' },
    items: { type: 'array', minItems: 1, items: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer', minimum: 1 } } } },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
};

/** Schemas of the shapes teams write, each with what makes a hand-kept value list fail. */
const shapes: Record<string, JsonSchema> = {
  'formats (uuid, email, date-time, date, uri, ipv4)': {
    type: 'object', required: ['id', 'email', 'at', 'day', 'link', 'ip'],
    properties: {
      id: { type: 'string', format: 'uuid' }, email: { type: 'string', format: 'email' }, at: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' }, link: { type: 'string', format: 'uri' }, ip: { type: 'string', format: 'ipv4' },
    },
  },
  'patterns': {
    type: 'object', required: ['code', 'ref', 'plate'],
    properties: { code: { type: 'string', pattern: '^usr_[a-z0-9]{8}$' }, ref: { type: 'string', pattern: '^[A-Z]{2}-\\d{4}$' }, plate: { type: 'string', pattern: '^[0-9]+$', maxLength: 4 } },
  },
  'enums and consts': {
    type: 'object', required: ['plan', 'tier', 'kind'],
    properties: { plan: { enum: ['free', 'pro'] }, tier: { type: 'integer', enum: [1, 2, 3] }, kind: { const: 'signup' } },
  },
  'nested objects and arrays': {
    type: 'object', required: ['profile', 'tags', 'addresses'],
    properties: {
      profile: { type: 'object', required: ['name', 'prefs'], properties: { name: { type: 'string', minLength: 2, maxLength: 20 }, prefs: { type: 'object', required: ['lang'], properties: { lang: { enum: ['en', 'fr'] } }, additionalProperties: false } } },
      tags: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      addresses: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'object', required: ['zip'], properties: { zip: { type: 'string', pattern: '^\\d{5}$' } } } },
    },
  },
  'numbers with bounds and multiples': {
    type: 'object', required: ['ratio', 'count', 'step'],
    properties: { ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, count: { type: 'integer', minimum: 10, maximum: 12 }, step: { type: 'integer', multipleOf: 5, minimum: 1 } },
  },
  'required properties only, with optional ones declared': {
    type: 'object', required: ['userId'], additionalProperties: false,
    properties: { userId: { type: 'string', minLength: 1 }, nickname: { type: 'string' }, avatar: { type: 'string', format: 'uri' } },
  },
  '$ref to definitions and $defs': {
    type: 'object', required: ['a', 'b'],
    properties: { a: { $ref: '#/definitions/money' }, b: { $ref: '#/$defs/id' } },
    definitions: { money: { type: 'object', required: ['amount', 'currency'], properties: { amount: { type: 'number', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } } } },
    $defs: { id: { type: 'string', format: 'uuid' } },
  },
  'a minProperties only optional properties can meet': {
    type: 'object', minProperties: 1, additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'integer' } },
  },
  'oneOf': {
    type: 'object', required: ['contact'],
    properties: { contact: { oneOf: [{ type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } }, additionalProperties: false }, { type: 'object', required: ['phone'], properties: { phone: { type: 'string', pattern: '^\\+[0-9]{8,12}$' } }, additionalProperties: false }] } },
  },
};

for (const [shape, schema] of Object.entries(shapes)) {
  test(`the example payload is valid against a schema with ${shape}`, async () => {
    const payload = await examplePayload(schema);
    assert.doesNotThrow(() => validatePayload(schema, 'some.topic', 1, payload), `payload ${JSON.stringify(payload)}`);
  });
}

test('the example payload for the printed publish command is valid against the schema', async () => {
  const payload = await examplePayload(order);
  assert.doesNotThrow(() => validatePayload(order, 'order.placed', 1, payload));
});

test('formats come out as such: a uuid, an email and a date-time, not placeholder strings', async () => {
  const payload = await examplePayload(signup) as Record<string, string>;
  assert.match(payload.userId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(payload.email!, /^[^@\s]+@[^@\s]+\.[a-z]+$/);
  assert.ok(!Number.isNaN(Date.parse(payload.signedUpAt!)), payload.signedUpAt);
});

test('the example payload is the same on every run (fixed seed)', async () => {
  for (const schema of [signup, ...Object.values(shapes)]) {
    assert.deepEqual(await examplePayload(schema), await examplePayload(schema));
  }
});

test('optional properties are left out of a generated payload', async () => {
  assert.deepEqual(Object.keys(await examplePayload(signup) as object).sort(), ['email', 'signedUpAt', 'userId']);
});

test('an array without minItems gets one item; one with minItems gets that many', async () => {
  const payload = await examplePayload(shapes['nested objects and arrays']!) as { tags: unknown[]; addresses: unknown[] };
  assert.equal(payload.tags.length, 1);
  assert.equal(payload.addresses.length, 2);
});

test("the schema's first example is the payload", async () => {
  const example = { userId: '6f1c2d3e-0000-4000-8000-000000000001', email: 'ada@example.com', signedUpAt: '2026-01-02T03:04:05Z' };
  assert.deepEqual(await examplePayload({ ...signup, examples: [example, { ...example, userId: '6f1c2d3e-0000-4000-8000-000000000002' }], default: { ...example, userId: '6f1c2d3e-0000-4000-8000-000000000003' } }), example);
});

test("the schema's default is the payload when it has no examples", async () => {
  const fallback = { userId: '6f1c2d3e-0000-4000-8000-000000000003', email: 'ada@example.com', signedUpAt: '2026-01-02T03:04:05Z' };
  assert.deepEqual(await examplePayload({ ...signup, default: fallback }), fallback);
});

test("an example that does not match the schema is passed over", async () => {
  const payload = await examplePayload({ ...signup, examples: [{ userId: 'not-a-uuid' }] });
  assert.notDeepEqual(payload, { userId: 'not-a-uuid' });
  assert.doesNotThrow(() => validatePayload(signup, 'user.signed-up', 1, payload));
});

test("a property's first example wins over its default and over a generated value", async () => {
  const schema = {
    type: 'object', required: ['plan', 'country', 'email'],
    properties: {
      plan: { type: 'string', examples: ['pro', 'team'], default: 'free' },
      country: { type: 'string', pattern: '^[A-Z]{2}$', default: 'FR' },
      email: { type: 'string', format: 'email', examples: ['ada@example.com'] },
    },
  };
  assert.deepEqual(await examplePayload(schema), { plan: 'pro', country: 'FR', email: 'ada@example.com' });
});

test("a property's example that breaks its own schema is not used, and the payload stays valid", async () => {
  const schema = { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['lowercase'] } } };
  const payload = await examplePayload(schema) as { code: string };
  assert.match(payload.code, /^[A-Z]{3}$/);
});

test('generated fractional numbers are rounded to two decimals', async () => {
  const payload = await examplePayload({ type: 'object', required: ['amount'], properties: { amount: { type: 'number', minimum: 0, maximum: 1000 } } }) as { amount: number };
  assert.equal(payload.amount, Math.round(payload.amount * 100) / 100);
});

test('a schema nothing can satisfy gives a PayloadExampleError, not an invalid payload', async () => {
  await assert.rejects(examplePayload({ type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 5, maximum: 1 } } }), PayloadExampleError);
});

test('an invalid payload is rejected before sending, naming each violation', () => {
  assert.throws(() => validatePayload(order, 'order.placed', 1, { orderId: 'o', items: [], currency: 'eur' }), (e: Error) =>
    e.name === 'PayloadInvalidError' && /nothing was sent/.test(e.message) && /\/items/.test(e.message) && /\/currency/.test(e.message));
});
