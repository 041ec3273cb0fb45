import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { EventFlow } from '../../lib/constructs/index.ts';
import { cdkJsonContext, cleanup, newFlow, projectWith, tempDir } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';
const V1 = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
const V2_COMPATIBLE = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, nickname: { type: 'string' } } };
const V3_BREAKING = { type: 'object', required: ['name', 'age'], properties: { name: { type: 'string' }, nickname: { type: 'string' }, age: { type: 'integer' } } };

function flowWithVersions(versions: Record<string, unknown>): EventFlow {
  const files: Record<string, string> = { 'functions/h.ts': 'export default async () => {};' };
  for (const [v, schema] of Object.entries(versions)) files[`schemas/person.created/${v}.json`] = JSON.stringify(schema);
  const app = new App({ outdir: tempDir(), context: cdkJsonContext() });
  const flow = new EventFlow(new Stack(app, 'S'), 'Flow', { rootDir: projectWith(files), schemaRegistry: false });
  flow.addTopic('person.created', { source: 'people' });
  return flow;
}

test('by default a subscription accepts the latest version and every earlier one the latest can read', () => {
  const flow = flowWithVersions({ v1: V1, v2: V2_COMPATIBLE });
  const sub = flow.addSubscription('greeter', { topic: flow.topic('person.created'), handler: 'functions/h.ts' });
  assert.deepEqual(sub.config.acceptsVersions, { 'person.created': [1, 2] });
});

test('by default a version the latest schema cannot read is not accepted', () => {
  const flow = flowWithVersions({ v1: V1, v2: V2_COMPATIBLE, v3: V3_BREAKING });
  const sub = flow.addSubscription('greeter', { topic: flow.topic('person.created'), handler: 'functions/h.ts' });
  assert.deepEqual(sub.config.acceptsVersions, { 'person.created': [3] });
});

test('acceptsVersions states the versions explicitly, and the manifest records them', () => {
  const flow = flowWithVersions({ v1: V1, v2: V2_COMPATIBLE, v3: V3_BREAKING });
  flow.addSubscription('greeter', { topic: flow.topic('person.created'), handler: 'functions/h.ts', acceptsVersions: [3, 1] });
  assert.deepEqual(flow.manifest().subscriptions[0]!.acceptsVersions, { 'person.created': [1, 3] });
});

test('the reference subscriptions accept version 1 of their topic', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  assert.deepEqual(sub.config.acceptsVersions, { 'order.placed': [1] });
});
