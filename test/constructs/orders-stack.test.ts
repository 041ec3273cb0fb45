import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OrdersStack } from '../../bin/orders-stack.ts';
import { cdkJsonContext, cleanup, resourceOf, tempDir } from './helpers.ts';

after(cleanup);

const app = new App({ outdir: tempDir('busline-orders-'), context: cdkJsonContext() });
const stack = new OrdersStack(app, 'BuslineOrders');
const t = Template.fromStack(stack);

test('the reference flow declares the three topics with their sources', () => {
  assert.deepEqual(stack.flow.topics.map((x) => [x.name, x.source]), [
    ['order.placed', 'shop.orders'],
    ['inventory.reserved', 'shop.inventory'],
    ['shipment.scheduled', 'shop.shipping'],
  ]);
});

test('the reference flow subscribes four handlers with their delivery modes, attempts and publications', () => {
  assert.deepEqual(stack.flow.subscriptions.map((s) => [s.name, s.topic.name, s.delivery.mode, s.config.retry.maxAttempts, s.publishes.map((p) => p.name)]), [
    ['reserve-inventory', 'order.placed', 'queue', 3, ['inventory.reserved']],
    ['schedule-shipment', 'inventory.reserved', 'queue', 3, ['shipment.scheduled']],
    ['notify-customer', 'shipment.scheduled', 'direct', 3, []],
    ['customer-history', 'order.placed', 'ordered', 3, []],
  ]);
});

test("customer-history's FIFO message group is data.customerId", () => {
  t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ SqsParameters: { MessageGroupId: '$.detail.data.customerId' } })] });
});

test('the business tables are on demand, encrypted, with point-in-time recovery, keyed as the handlers expect', () => {
  for (const [id, key] of [['Reservations', 'orderId'], ['Shipments', 'orderId'], ['Notifications', 'orderId'], ['CustomerHistory', 'customerId']] as const) {
    const table = resourceOf(t, 'AWS::DynamoDB::Table', id);
    assert.deepEqual(table.props.KeySchema, [{ AttributeName: key, KeyType: 'HASH' }], id);
    assert.equal(table.props.BillingMode, 'PAY_PER_REQUEST', id);
    assert.deepEqual(table.props.SSESpecification, { SSEEnabled: true }, id);
    assert.deepEqual(table.props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true }, id);
  }
});

test('each handler may use only its own table, with only the action it needs', () => {
  const expected: Record<string, [string, string]> = { ReserveInventory: ['Reservations', 'dynamodb:UpdateItem'], ScheduleShipment: ['Shipments', 'dynamodb:PutItem'], NotifyCustomer: ['Notifications', 'dynamodb:PutItem'], CustomerHistory: ['CustomerHistory', 'dynamodb:UpdateItem'] };
  const tables = Object.keys(t.findResources('AWS::DynamoDB::Table')).filter((id) => !id.includes('Dedupe'));
  for (const [sub, [tableId, action]] of Object.entries(expected)) {
    const policy = resourceOf(t, 'AWS::IAM::Policy', `Orders${sub}RoleDefaultPolicy`);
    const onBusinessTables = (policy.props.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((s) => tables.some((id) => JSON.stringify(s.Resource).includes(`"${id}"`)));
    assert.equal(onBusinessTables.length, 1, sub);
    assert.equal(onBusinessTables[0]!.Action, action, sub);
    assert.ok(JSON.stringify(onBusinessTables[0]!.Resource).includes(tableId), sub);
  }
});

test('the reference stack stays far below the 500-resource limit', () => {
  const count = Object.keys(t.toJSON().Resources).length;
  assert.ok(count < 100, `${count} resources`);
});
