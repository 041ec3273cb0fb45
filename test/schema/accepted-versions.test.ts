/**
 * Which schema versions a subscription accepts by default: the latest, and every earlier
 * version whose events the latest schema can still read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptedVersions } from '../../lib/schema/compatibility.ts';
import type { JsonSchema, TopicSchemas } from '../../lib/schema/schema-set.ts';

function topic(...schemas: JsonSchema[]): TopicSchemas {
  const versions = schemas.map((schema, i) => ({ topic: 't', version: i + 1, file: `schemas/t/v${i + 1}.json`, schema }));
  return { topic: 't', versions, latest: versions[versions.length - 1]! };
}

const base = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

test('a single version accepts only itself', () => {
  assert.deepEqual(acceptedVersions(topic(base)), [1]);
});

test('an earlier version is accepted when the latest only adds optional fields', () => {
  const v2 = { ...base, properties: { ...base.properties, note: { type: 'string' } } };
  assert.deepEqual(acceptedVersions(topic(base, v2)), [1, 2]);
});

test('an earlier version is not accepted when the latest requires a field it lacks', () => {
  const v2 = { ...base, required: ['id', 'amount'], properties: { ...base.properties, amount: { type: 'number' } } };
  assert.deepEqual(acceptedVersions(topic(base, v2)), [2]);
});

test('each version is checked against the latest directly, not along the chain', () => {
  const v2 = { ...base, required: ['id', 'amount'], properties: { ...base.properties, amount: { type: 'number' } } };
  const v3 = { ...base, properties: { ...base.properties, amount: { type: 'number' } } };
  // v2 broke v1 readers, but v3 made amount optional again: v1 events are readable with v3.
  assert.deepEqual(acceptedVersions(topic(base, v2, v3)), [1, 2, 3]);
});

test('a forward-only change (a widened enum) keeps earlier versions accepted', () => {
  const v1 = { type: 'object', properties: { c: { enum: ['a'] } } };
  const v2 = { type: 'object', properties: { c: { enum: ['a', 'b'] } } };
  assert.deepEqual(acceptedVersions(topic(v1, v2)), [1, 2]);
});
