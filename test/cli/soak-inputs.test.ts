/**
 * What `busline soak` publishes: the flow's entry topics (consumed, never published by a
 * handler) and payloads generated from their schemas, the same for the same seed, each valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { entryTopics, SoakNoEntryTopicError } from '../../lib/cli/soak/entry-topics.ts';
import { payloadSource, SoakPayloadError } from '../../lib/cli/soak/payload-generator.ts';
import { topicSchemas, validatorTable } from '../../lib/cli/schema-check.ts';
import type { FlowManifest, FlowSubscription } from '../../lib/schema/flow-manifest.ts';
import { SOAK_FLOW_DIR } from '../fixtures/soak-flow/stack.ts';

const subscription = (name: string, topics: string[], publishes: string[]): FlowSubscription => ({
  name, constructPath: name, topics, publishes, delivery: 'queue', eventPattern: {},
  retry: { maxAttempts: 3, backoffBaseSeconds: 1, backoffMaxSeconds: 60 },
  dedupe: false, resources: { rule: 'R', function: 'F', dlq: 'D' },
});

const manifest = (subscriptions: FlowSubscription[], topics: string[]): FlowManifest => ({
  manifestVersion: 1, flow: 'Shop', busLogicalId: 'Bus', schemasDir: 'schemas', publishers: [], subscriptions,
  topics: topics.map((name) => ({ name, source: 'test.shop', versions: [1] })),
});

test('entry topics are those a subscription consumes and none publishes', () => {
  const flow = manifest([subscription('a', ['order.placed'], ['order.paid']), subscription('b', ['order.paid'], [])], ['order.placed', 'order.paid', 'order.unused']);
  assert.deepEqual(entryTopics([{ manifest: flow, busName: 'bus' }]).map((t) => [t.topic, t.busName, t.source]), [['order.placed', 'bus', 'test.shop']]);
});

test("an entry topic carries its encrypted fields and the flow's PII key, so the soak's publisher encrypts them", () => {
  const flow = manifest([subscription('a', ['contact.added'], [])], []);
  const topic = { name: 'contact.added', source: 'test.contacts', versions: [1], piiPaths: [['email']], encryptPaths: [['email']] };
  const keyArn = 'arn:aws:kms:us-east-1:000000000000:key/6f0e8a52-1d2b-4c3d-8e4f-5a6b7c8d9e0f';
  const [entry] = entryTopics([{ manifest: { ...flow, topics: [topic] }, busName: 'bus', piiKeyArn: keyArn }]);
  assert.deepEqual([entry!.declared.encryptPaths, entry!.piiKeyArn], [[['email']], keyArn]);
});

test('a flow whose every consumed topic is also published has no entry topic: SoakNoEntryTopicError', () => {
  const loop = manifest([subscription('a', ['ping'], ['pong']), subscription('b', ['pong'], ['ping'])], ['ping', 'pong']);
  assert.throws(() => entryTopics([{ manifest: loop, busName: 'bus' }]), SoakNoEntryTopicError);
});

async function parcelPayloads(seed: number) {
  const schemas = topicSchemas(resolve(SOAK_FLOW_DIR, 'schemas'), 'parcel.sent');
  const validate = validatorTable(schemas)['parcel.sent']![1]!;
  return { source: await payloadSource('parcel.sent', schemas.latest.schema, validate, seed), validate };
}

test('the same seed gives the same payloads, another seed other ones', async () => {
  const a = (await parcelPayloads(7)).source;
  const b = (await parcelPayloads(7)).source;
  const c = (await parcelPayloads(8)).source;
  const first = [0, 1, 2].map((i) => a.payload(i));
  assert.deepEqual([0, 1, 2].map((i) => b.payload(i)), first);
  assert.notDeepEqual([0, 1, 2].map((i) => c.payload(i)), first);
  assert.notDeepEqual(first[0], first[1]);
});

test('every generated payload passes the topic\'s validator', async () => {
  const { source, validate } = await parcelPayloads(7);
  for (let i = 0; i < 200; i++) assert.ok(validate(source.payload(i)), JSON.stringify(source.payload(i)));
});

test('a schema no payload can satisfy gives SoakPayloadError, not an invalid payload', async () => {
  const never = Object.assign((data: unknown) => data === 'never', { errors: [{ instancePath: '', keyword: 'const', params: {}, message: 'must be "never"' }] });
  const source = await payloadSource('odd', { type: 'integer' }, never, 1);
  assert.throws(() => source.payload(0), SoakPayloadError);
});
