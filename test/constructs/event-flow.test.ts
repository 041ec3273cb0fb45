import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest } from '../../lib/schema/flow-manifest.ts';
import { cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

test('a flow owns a custom event bus with an archive of every event, kept 30 days by default', () => {
  const t = template(newFlow());
  t.resourceCountIs('AWS::Events::EventBus', 1);
  const bus = resourceOf(t, 'AWS::Events::EventBus', 'Bus');
  t.hasResourceProperties('AWS::Events::Archive', {
    SourceArn: { 'Fn::GetAtt': [bus.id, 'Arn'] },
    RetentionDays: 30,
    EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
  });
});

test('archiveRetention sets how long the archive keeps events', () => {
  const t = template(newFlow({ archiveRetention: Duration.days(7) }));
  t.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 7 });
});

test('a flow has one dedupe table: key pk, on demand, encrypted, TTL on expiresAt, point-in-time recovery', () => {
  const t = template(newFlow());
  const table = resourceOf(t, 'AWS::DynamoDB::Table', 'DedupeTable');
  assert.deepEqual(table.props.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  assert.equal(table.props.BillingMode, 'PAY_PER_REQUEST');
  assert.deepEqual(table.props.SSESpecification, { SSEEnabled: true });
  assert.deepEqual(table.props.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  assert.deepEqual(table.props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
});

test("the flow manifest is written into the bus resource's metadata with topics and subscriptions", () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', {
    topic: f.orderPlaced,
    handler: 'functions/reserve-inventory.ts',
    publishes: [f.inventoryReserved],
    filter: { currency: ['EUR'] },
  });
  const t = template(f);
  const [busId, bus] = Object.entries(t.findResources('AWS::Events::EventBus'))[0]!;
  const manifest = (bus as { Metadata: Record<string, unknown> }).Metadata[FLOW_MANIFEST_METADATA_KEY] as FlowManifest;
  assert.equal(manifest.manifestVersion, 1);
  assert.equal(manifest.flow, 'Orders');
  assert.equal(manifest.busLogicalId, busId);
  assert.deepEqual(manifest.topics.map((x) => [x.name, x.source, x.versions]), [
    ['order.placed', 'shop.orders', [1]],
    ['inventory.reserved', 'shop.inventory', [1]],
    ['shipment.scheduled', 'shop.shipping', [1]],
  ]);
  const [sub] = manifest.subscriptions;
  assert.equal(sub?.name, 'reserve-inventory');
  assert.equal(sub?.delivery, 'queue');
  assert.deepEqual(sub?.publishes, ['inventory.reserved']);
  assert.deepEqual(sub?.filter, { currency: ['EUR'] });
  assert.deepEqual(sub?.eventPattern, { source: ['shop.orders'], 'detail-type': ['order.placed'], detail: { data: { currency: ['EUR'] } } });
  const ids = Object.keys(t.toJSON().Resources);
  for (const logicalId of Object.values(sub!.resources)) assert.ok(ids.includes(logicalId), `${logicalId} is a resource of the template`);
});

test('flowName names the flow in the manifest and the runtime configuration', () => {
  const f = newFlow({ flowName: 'shop-orders' });
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler: 'functions/reserve-inventory.ts' });
  assert.equal(sub.config.flow, 'shop-orders');
  assert.equal(f.flow.manifest().flow, 'shop-orders');
});

test('logRetention sets the retention of every function log group (one month by default)', () => {
  const f = newFlow({ logRetention: logs.RetentionDays.ONE_WEEK });
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler: 'functions/reserve-inventory.ts' });
  template(f).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  const g = newFlow();
  g.flow.addSubscription('reserve-inventory', { topic: g.orderPlaced, handler: 'functions/reserve-inventory.ts' });
  template(g).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
});

test('a flow without subscriptions synthesizes without bundling anything', () => {
  const t = template(newFlow());
  t.resourceCountIs('AWS::Lambda::Function', 0);
  t.hasResource('AWS::Events::EventBus', { Metadata: Match.objectLike({ [FLOW_MANIFEST_METADATA_KEY]: Match.objectLike({ subscriptions: [] }) }) });
});

test("every topic's schema versions are published to the flow's EventBridge schema registry as draft 4", () => {
  const t = template(newFlow());
  t.resourceCountIs('AWS::EventSchemas::Registry', 1);
  t.resourceCountIs('AWS::EventSchemas::Schema', 3);
  t.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'shop.orders@order.placed-v1', Type: 'JSONSchemaDraft4' });
});

test('schemaRegistry: false publishes no schemas', () => {
  const t = template(newFlow({ schemaRegistry: false }));
  t.resourceCountIs('AWS::EventSchemas::Registry', 0);
  t.resourceCountIs('AWS::EventSchemas::Schema', 0);
});
