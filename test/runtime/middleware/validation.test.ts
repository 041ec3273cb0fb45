import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkData, validationStep } from '../../../lib/runtime/middleware/validation.ts';
import { acceptedVersionsCheck } from '../../../lib/runtime/middleware/accepted-versions.ts';
import { ValidationSchemaError } from '../../../lib/runtime/errors.ts';
import { createLogger } from '../../../lib/runtime/logger.ts';
import type { RecordContext } from '../../../lib/runtime/record-pipeline.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { SCHEMAS_DIR } from '../fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);

test('valid data passes', () => {
  assert.equal(checkData(validators, 'order.placed', 1, { orderId: 'o', quantity: 1 }, 'event e'), undefined);
});

test('invalid data gives a ValidationSchemaError listing each violation with its path', () => {
  const err = checkData(validators, 'order.placed', 1, { orderId: '', quantity: 0, extra: true }, 'event e');
  assert.ok(err instanceof ValidationSchemaError);
  assert.match(err.message, /^event e does not match schema order\.placed v1: /);
  assert.match(err.message, /\/orderId must NOT have fewer than 1 characters/);
  assert.match(err.message, /\/quantity must be >= 1/);
  assert.match(err.message, /\(root\) must NOT have additional properties/);
  assert.equal(err.errors.length, 3);
});

test('an unknown schema version is an error saying which versions the function knows', () => {
  const err = checkData(validators, 'order.placed', 7, {}, 'event e');
  assert.match(err!.message, /schemaVersion 7 of topic order\.placed, but this function knows versions 1: redeploy/);
});

test('without a version the newest one is used; a topic without validators is not checked', () => {
  assert.ok(checkData(validators, 'order.placed', undefined, {}, 'event e'));
  assert.equal(checkData(validators, 'aws.s3.object', undefined, 'anything', 'event e'), undefined);
});

test('the validation step rejects an invalid enveloped record for the DLQ and ignores raw events', async () => {
  const step = validationStep(validators);
  const base = { topic: 'order.placed', eventId: 'e', metadata: { schemaVersion: 1 }, logger: createLogger('silent', () => undefined) };
  const verdict = await step.before!({ ...base, enveloped: true, data: { orderId: 'o' } } as unknown as RecordContext);
  assert.equal(verdict && verdict.verdict, 'reject');
  assert.equal(await step.before!({ ...base, enveloped: false, data: { orderId: 'o' } } as unknown as RecordContext), undefined);
});

test('an event of a schema version the subscription does not accept is rejected for the DLQ, saying what it accepts', async () => {
  const step = validationStep(validators, acceptedVersionsCheck({ 'order.placed': [2] }, validators));
  const record = { topic: 'order.placed', eventId: 'e', metadata: { schemaVersion: 1 }, enveloped: true, data: { orderId: 'o', quantity: 1 }, logger: createLogger('silent', () => undefined) };
  const verdict = await step.before!(record as unknown as RecordContext);
  assert.equal(verdict && verdict.verdict, 'reject');
  assert.match(String(verdict && 'error' in verdict ? verdict.error.message : ''), /schemaVersion 1 of topic order\.placed, which this subscription does not accept \(it accepts 2\)/);
});

test('an event of an accepted schema version is validated as usual', async () => {
  const step = validationStep(validators, acceptedVersionsCheck({ 'order.placed': [1] }, validators));
  const record = { topic: 'order.placed', eventId: 'e', metadata: { schemaVersion: 1 }, enveloped: true, data: { orderId: 'o', quantity: 1 }, logger: createLogger('silent', () => undefined) };
  assert.equal(await step.before!(record as unknown as RecordContext), undefined);
});
