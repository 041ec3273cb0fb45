/**
 * The one per-topic PII map the engine and the CLI mask with (lib/schema/topic-pii.ts): the
 * constructs write each topic's PII paths into the flow manifest, the map joins the flows'
 * topics, and an event's mask is read from its detail-type's paths in `detail.data`.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { EventFlow } from '../../lib/constructs/index.ts';
import { eventPiiMask, topicPiiPathsOf } from '../../lib/schema/topic-pii.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';
import { cleanup, projectWith, tempDir } from '../constructs/helpers.ts';

after(cleanup);

const manifest = (flow: string, topics: FlowManifest['topics']): FlowManifest => ({
  manifestVersion: 1, flow, busLogicalId: 'Bus', schemasDir: 'schemas', topics, subscriptions: [], publishers: [],
});

test("the flow manifest carries each topic's PII paths, from every version of its schema, and none for a topic without", () => {
  const root = projectWith({
    'schemas/user.signed-up/v1.json': JSON.stringify({ type: 'object', properties: { email: { type: 'string', 'x-busline-pii': true } } }),
    'schemas/user.signed-up/v2.json': JSON.stringify({ type: 'object', properties: { email: { type: 'string', 'x-busline-pii': true }, phone: { type: 'string', 'x-busline-pii': 'mask' } } }),
    'schemas/plain.event/v1.json': JSON.stringify({ type: 'object', properties: { n: { type: 'number' } } }),
  });
  const flow = new EventFlow(new Stack(new App({ outdir: tempDir() }), 'S'), 'Signups', { rootDir: root, schemaRegistry: false });
  flow.addTopic('user.signed-up', { source: 'app.accounts' });
  flow.addTopic('plain.event', { source: 'app.other' });
  const topics = flow.manifest().topics;
  assert.deepEqual(topics.find((t) => t.name === 'user.signed-up')!.piiPaths, [['email'], ['phone']]);
  assert.equal(topics.find((t) => t.name === 'plain.event')!.piiPaths, undefined);
});

test('a topic declared by two flows is masked at the paths of both', () => {
  const map = topicPiiPathsOf([
    manifest('a', [{ name: 'user.signed-up', source: 's', versions: [1], piiPaths: [['email']] }]),
    manifest('b', [{ name: 'user.signed-up', source: 's', versions: [1], piiPaths: [['email'], ['address', 'street']] }, { name: 'plain', source: 's', versions: [1] }]),
  ]);
  assert.deepEqual([...map], [['user.signed-up', [['email'], ['address', 'street']]]]);
});

test("an event's mask holds the values at its detail-type's paths in detail.data, whether given as an object or as JSON text", () => {
  const map = topicPiiPathsOf([manifest('a', [{ name: 'user.signed-up', source: 's', versions: [1], piiPaths: [['email']] }])]);
  const event = { 'detail-type': 'user.signed-up', detail: { metadata: { id: 'm-1' }, data: { email: 'ada@example.com', plan: 'pro' } } };
  assert.deepEqual(eventPiiMask(event, map)?.texts, ['ada@example.com']);
  assert.deepEqual(eventPiiMask(JSON.stringify(event), map)?.texts, ['ada@example.com']);
  assert.equal(eventPiiMask({ ...event, 'detail-type': 'other.topic' }, map), undefined);
});
