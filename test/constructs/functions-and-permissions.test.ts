import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Duration } from 'aws-cdk-lib';
import { cleanup, newFlow, resourceOf, template } from './helpers.ts';

after(cleanup);

const handler = 'functions/reserve-inventory.ts';

/** Every statement the role whose id contains `fragment` is granted: its inline policies and the IAM policies attached to it. */
function statementsOfRole(t: Template, fragment: string): Array<Record<string, any>> {
  const role = resourceOf(t, 'AWS::IAM::Role', fragment);
  const inline = ((role.props.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<Record<string, any>> } }>)
    .flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: role.id })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
  return [...inline, ...attached];
}

test('functions run nodejs24.x on arm64 with handler index.handler, active tracing and an explicit log group', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, memorySize: 512 });
  const t = template(f);
  const logGroup = resourceOf(t, 'AWS::Logs::LogGroup', 'ReserveInventoryLogs');
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    TracingConfig: { Mode: 'Active' },
    LoggingConfig: { LogGroup: { Ref: logGroup.id } },
    MemorySize: 512,
    Timeout: 30,
  });
});

test('functions get the bus name, the DLQ URL and the dedupe table in the runtime env vars, plus the user environment', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, environment: { RESERVATIONS_TABLE: 'reservations' } });
  const t = template(f);
  const bus = resourceOf(t, 'AWS::Events::EventBus', 'Bus');
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  const table = resourceOf(t, 'AWS::DynamoDB::Table', 'DedupeTable');
  t.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: {
        BUSLINE_BUS_NAME: { Ref: bus.id },
        BUSLINE_DLQ_URL: { Ref: dlq.id },
        BUSLINE_DEDUPE_TABLE: { Ref: table.id },
        RESERVATIONS_TABLE: 'reservations',
      },
    },
  });
});

test('roles use no managed policies: logs write is granted on the function log group only', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  const logGroup = resourceOf(t, 'AWS::Logs::LogGroup', 'ReserveInventoryLogs');
  const statements = statementsOfRole(t, 'ReserveInventoryRole');
  assert.ok(statements.some((s) => JSON.stringify(s.Action) === JSON.stringify(['logs:CreateLogStream', 'logs:PutLogEvents'])
    && JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [logGroup.id, 'Arn'] })));
});

test("no statement of a subscription's role grants a wildcard action, and only X-Ray's statement has Resource '*'", () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, publishes: [f.inventoryReserved] });
  const statements = statementsOfRole(template(f), 'ReserveInventoryRole');
  for (const s of statements) {
    for (const action of [s.Action].flat()) assert.ok(!String(action).includes('*'), `action ${action} has no wildcard`);
  }
  const starred = statements.filter((s) => s.Resource === '*');
  assert.deepEqual(starred.map((s) => s.Action), [['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
});

test("X-Ray's write permission is the role's own inline 'Tracing' policy, and no separate IAM policy is made for it", () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const role = resourceOf(t, 'AWS::IAM::Role', 'ReserveInventoryRole');
  assert.deepEqual(role.props.Policies, [{
    PolicyName: 'Tracing',
    PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }] },
  }]);
  const policies = Object.keys(t.findResources('AWS::IAM::Policy'));
  assert.deepEqual(policies.map((id) => id.replace(/[0-9A-F]{8}$/, '')), ['OrdersReserveInventoryRoleDefaultPolicy']);
});

test('publishes grants events:PutEvents on the flow bus only, conditioned on each topic\'s detail-type and source', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, publishes: [f.inventoryReserved, f.shipmentScheduled] });
  const t = template(f);
  const bus = resourceOf(t, 'AWS::Events::EventBus', 'Bus');
  const puts = statementsOfRole(t, 'ReserveInventoryRole').filter((s) => s.Action === 'events:PutEvents');
  assert.deepEqual(puts.map((s) => s.Condition), [
    { StringEquals: { 'events:detail-type': 'inventory.reserved', 'events:source': 'shop.inventory' } },
    { StringEquals: { 'events:detail-type': 'shipment.scheduled', 'events:source': 'shop.shipping' } },
  ]);
  for (const s of puts) assert.deepEqual(s.Resource, { 'Fn::GetAtt': [bus.id, 'Arn'] });
});

test('a subscription that publishes nothing gets no events:PutEvents', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const statements = statementsOfRole(template(f), 'ReserveInventoryRole');
  assert.ok(!statements.some((s) => s.Action === 'events:PutEvents'));
});

test('grantPublish lets any other producer publish exactly the given topics, and records it as a publisher', () => {
  const f = newFlow();
  const producer = new iam.Role(f.stack, 'Checkout', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const grant = f.flow.grantPublish(producer, f.orderPlaced);
  assert.ok(grant.success);
  template(f).hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Checkout') }],
    PolicyDocument: {
      Statement: [Match.objectLike({
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'events:detail-type': 'order.placed', 'events:source': 'shop.orders' } },
      })],
    },
  });
  assert.deepEqual(f.flow.manifest().publishers, [{ name: 'TestStack/Checkout', topics: ['order.placed'] }]);
});

test('the function may send to its own DLQ (the runtime parks unhandleable events there) and nothing else of SQS but its source queue', () => {
  const f = newFlow();
  f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const dlq = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryDlq');
  const queue = resourceOf(t, 'AWS::SQS::Queue', 'ReserveInventoryQueue');
  const sqsStatements = statementsOfRole(t, 'ReserveInventoryRole').filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sqs:')));
  assert.deepEqual(sqsStatements.map((s) => [s.Action, s.Resource]), [
    ['sqs:SendMessage', { 'Fn::GetAtt': [dlq.id, 'Arn'] }],
    [['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], { 'Fn::GetAtt': [queue.id, 'Arn'] }],
  ]);
});

test('dedupe (on by default) grants exactly GetItem, PutItem, UpdateItem and DeleteItem on the dedupe table', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler });
  const t = template(f);
  const table = resourceOf(t, 'AWS::DynamoDB::Table', 'DedupeTable');
  const onTable = statementsOfRole(t, 'ReserveInventoryRole').filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [table.id, 'Arn'] }));
  assert.deepEqual(onTable.map((s) => s.Action), [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']]);
  assert.deepEqual(sub.config.dedupe, { ttlSeconds: 86400 });
});

test('dedupeKey and dedupeTtl reach the runtime configuration', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, dedupeKey: 'orderId', dedupeTtl: Duration.hours(2) });
  assert.deepEqual(sub.config.dedupe, { keyPath: 'orderId', ttlSeconds: 7200 });
});

test('dedupe: false keeps the table variable with only UpdateItem on the table, where the runtime counts failed attempts', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, dedupe: false });
  const t = template(f);
  const table = resourceOf(t, 'AWS::DynamoDB::Table', 'DedupeTable');
  t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { BUSLINE_DEDUPE_TABLE: { Ref: table.id } } } });
  const dynamoActions = statementsOfRole(t, 'ReserveInventoryRole').flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('dynamodb:'));
  assert.deepEqual(dynamoActions, ['dynamodb:UpdateItem']);
  assert.equal(sub.config.dedupe, false);
});

test('the runtime configuration names the flow, the subscription, its topics and their sources and versions', () => {
  const f = newFlow();
  const sub = f.flow.addSubscription('reserve-inventory', { topic: f.orderPlaced, handler, publishes: [f.inventoryReserved] });
  assert.deepEqual(sub.config, {
    flow: 'Orders',
    subscription: 'reserve-inventory',
    delivery: 'queue',
    consumes: ['order.placed'],
    publishes: ['inventory.reserved'],
    topics: {
      'order.placed': { source: 'shop.orders', latestVersion: 1 },
      'inventory.reserved': { source: 'shop.inventory', latestVersion: 1 },
    },
    retry: { maxAttempts: 3, backoffBaseSeconds: 2, backoffMaxSeconds: 300 },
    dedupe: { ttlSeconds: 86400 },
    acceptsVersions: { 'order.placed': [1] },
  });
});
