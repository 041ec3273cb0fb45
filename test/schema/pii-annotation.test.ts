/**
 * The schema side of PII: `"x-busline-pii": true | "mask" | "encrypt"` marks a field of a topic's
 * data (false states it is not PII). ajv's build-time compile (strict mode) accepts the keyword
 * with those values and rejects any other; the marked paths reach the subscription's runtime
 * config, which lib/runtime/pii-mask.ts masks by.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { piiFields, piiPaths, topicPiiFields, topicPiiPaths } from '../../lib/schema/pii.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateValidatorModule, SchemaCompileError } from '../../lib/schema/validator-codegen.ts';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function schemasWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'busline-pii-'));
  dirs.push(dir);
  for (const [path, schema] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(schema));
  }
  return dir;
}

const SIGNUP = {
  type: 'object',
  properties: {
    userId: { type: 'string' },
    email: { type: 'string', 'x-busline-pii': true },
    profile: { type: 'object', properties: { phone: { type: 'string', 'x-busline-pii': 'mask' }, plan: { type: 'string', 'x-busline-pii': false } } },
    contacts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', 'x-busline-pii': true } } } },
    address: { 'x-busline-pii': true, type: 'object', properties: { street: { type: 'string' } } },
    billing: { allOf: [{ type: 'object', properties: { iban: { type: 'string', 'x-busline-pii': 'mask' } } }] },
  },
};

test('the build-time compile accepts x-busline-pii true, "mask" and false on any field', () => {
  const code = generateValidatorModule(loadSchemas(schemasWith({ 'user.signed-up/v1.json': SIGNUP })).values());
  assert.match(code, /export const validators/);
});

test('the build-time compile accepts x-busline-pii "encrypt"', () => {
  const dir = schemasWith({ 'user.signed-up/v1.json': { type: 'object', properties: { email: { type: 'string', format: 'email', 'x-busline-pii': 'encrypt' } } } });
  assert.match(generateValidatorModule(loadSchemas(dir).values()), /export const validators/);
});

test('the build-time compile rejects another value naming the schema file', () => {
  for (const value of ['encrypted', 'yes', 1]) {
    const dir = schemasWith({ 'user.signed-up/v1.json': { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': value } } } });
    assert.throws(() => generateValidatorModule(loadSchemas(dir).values()), (e: unknown) => e instanceof SchemaCompileError && /user\.signed-up\/v1\.json/.test(e.message) && /x-busline-pii/.test(e.message), String(value));
  }
});

test('the marked paths: nested fields, array items as *, whole objects, allOf branches; false and unmarked fields are not PII', () => {
  assert.deepEqual(piiPaths(SIGNUP), [['email'], ['profile', 'phone'], ['contacts', '*', 'name'], ['address'], ['billing', 'iban']]);
});

test("a topic's PII paths are those of all its versions: a field marked in any version is masked", () => {
  const v1 = { schema: { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': true } } } };
  const v2 = { schema: { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': true }, phone: { type: 'string', 'x-busline-pii': true } } } };
  assert.deepEqual(topicPiiPaths([v1, v2]), [['email'], ['phone']]);
});

test('each marked field carries its mode: true and "mask" are mask, "encrypt" is encrypt', () => {
  const schema = {
    type: 'object',
    properties: {
      email: { type: 'string', 'x-busline-pii': 'encrypt' },
      name: { type: 'string', 'x-busline-pii': true },
      lines: { type: 'array', items: { type: 'object', properties: { card: { type: 'string', 'x-busline-pii': 'encrypt' } } } },
    },
  };
  assert.deepEqual(piiFields(schema), [
    { path: ['email'], mode: 'encrypt' },
    { path: ['name'], mode: 'mask' },
    { path: ['lines', '*', 'card'], mode: 'encrypt' },
  ]);
});

test('encrypt fields are PII paths too: they are masked in logs like mask fields', () => {
  const schema = { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': 'encrypt' }, name: { type: 'string', 'x-busline-pii': 'mask' } } };
  assert.deepEqual(piiPaths(schema), [['email'], ['name']]);
});

test('a field marked mask in one version and encrypt in another is encrypt for the topic', () => {
  const v1 = { schema: { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': 'mask' } } } };
  const v2 = { schema: { type: 'object', properties: { email: { type: 'string', 'x-busline-pii': 'encrypt' } } } };
  assert.deepEqual(topicPiiFields([v1, v2]), [{ path: ['email'], mode: 'encrypt' }]);
  assert.deepEqual(topicPiiFields([v2, v1]), [{ path: ['email'], mode: 'encrypt' }]);
});
