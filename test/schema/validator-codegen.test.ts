import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateValidatorModule, newAjv, SchemaCompileError } from '../../lib/schema/validator-codegen.ts';
import type { ValidatorTable } from '../../lib/runtime/handler-types.ts';

// Written under node_modules so the module's imports of ajv's runtime helpers resolve.
const OUT = resolve(import.meta.dirname, '../../node_modules/.cache/busline-codegen-tests');

function schemasWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(OUT, 'schemas-'));
  for (const [path, schema] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(schema));
  }
  return dir;
}

async function importModule(code: string): Promise<ValidatorTable> {
  const file = join(mkdtempSync(join(OUT, 'module-')), 'validators.mjs');
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { validators: ValidatorTable }).validators;
}

mkdirSync(OUT, { recursive: true });

const ORDER_V1 = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', minLength: 3 } } };
const ORDER_V2 = { type: 'object', required: ['orderId', 'total'], properties: { orderId: { type: 'string' }, total: { type: 'number', minimum: 0 } } };

test('the generated module loads in plain Node ESM: no require() is left in it', async () => {
  const code = generateValidatorModule(loadSchemas(schemasWith({ 'order.placed/v1.json': ORDER_V1 })).values());
  assert.doesNotMatch(code, /\brequire\(/);
  const validators = await importModule(code);
  assert.equal(typeof validators['order.placed']?.[1], 'function');
});

test('each topic version gets its own validator, keyed by topic and version', async () => {
  const dir = schemasWith({ 'order.placed/v1.json': ORDER_V1, 'order.placed/v2.json': ORDER_V2 });
  const validators = await importModule(generateValidatorModule(loadSchemas(dir).values()));
  assert.equal(validators['order.placed']![1]!({ orderId: 'o-1' }), true);
  assert.equal(validators['order.placed']![2]!({ orderId: 'o-1' }), false, 'v2 requires total');
});

test('a failed validation reports where and why, for the DLQ reason', async () => {
  const validators = await importModule(generateValidatorModule(loadSchemas(schemasWith({ 'order.placed/v1.json': ORDER_V1 })).values()));
  const validate = validators['order.placed']![1]!;
  assert.equal(validate({ orderId: 'x' }), false);
  assert.equal(validate.errors?.[0]?.instancePath, '/orderId');
  assert.equal(validate.errors?.[0]?.keyword, 'minLength');
});

test('a schema ajv rejects fails codegen with SchemaCompileError naming the file', () => {
  const dir = schemasWith({ 'order.placed/v1.json': { type: 'object', properties: { total: { type: 'numbr' } } } });
  assert.throws(() => generateValidatorModule(loadSchemas(dir).values()), (err: unknown) => {
    assert.ok(err instanceof SchemaCompileError);
    assert.match(err.message, /order\.placed\/v1\.json is not a valid JSON Schema/);
    return true;
  });
});

test('minLength counts characters as JSON Schema does: an emoji (a surrogate pair) is one', async () => {
  // JSON Schema Validation draft-07, 6.3.2 minLength: "the number of its characters as defined by RFC 8259".
  const schema = { type: 'object', properties: { code: { type: 'string', minLength: 2, maxLength: 2 } } };
  const validators = await importModule(generateValidatorModule(loadSchemas(schemasWith({ 'code.set/v1.json': schema })).values()));
  const validate = validators['code.set']![1]!;
  assert.equal(validate({ code: '😀😀' }), true, 'two emoji are two characters');
  assert.equal(validate({ code: '😀' }), false, 'one emoji is one character');
  assert.equal(validate({ code: '\ud83dx' }), true, 'a lone surrogate counts as one');
});

test('the generated validators report the errors ajv reports, without schemaPath', async () => {
  const schema = {
    type: 'object',
    required: ['id', 'items', 'kind'],
    properties: {
      id: { type: 'string', minLength: 3, pattern: '^[A-Z]{2}-\\d+$' },
      kind: { enum: ['a', 'b'] },
      total: { type: 'number', minimum: 0 },
      count: { type: 'integer', maximum: 9 },
      tags: { type: 'array', maxItems: 1, items: { type: 'string' } },
      items: { type: 'array', minItems: 1, items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } }, additionalProperties: false } },
    },
  };
  const validators = await importModule(generateValidatorModule(loadSchemas(schemasWith({ 'order.checked/v1.json': schema })).values()));
  const reference = newAjv().compile(schema);
  const samples: unknown[] = [
    {},
    null,
    [],
    { id: 7, items: 'x', kind: 'c', total: -1, count: 1.5, tags: ['a', 2] },
    { id: 'ab', items: [{ sku: 1, extra: true }, 'x', {}], kind: 'a', count: 10 },
    { id: 'AB-1', items: [{ sku: 's' }], kind: 'b', total: 0, count: 9, tags: [] },
  ];
  for (const sample of samples) {
    const validate = validators['order.checked']![1]!;
    assert.equal(validate(sample), reference(sample), JSON.stringify(sample));
    const expected = (reference.errors ?? []).map(({ instancePath, keyword, params, message }) => ({ instancePath, keyword, params, message }));
    assert.deepEqual(validate.errors ?? [], expected, JSON.stringify(sample));
  }
});
