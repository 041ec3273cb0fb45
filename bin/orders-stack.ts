import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { Delivery, EventFlow } from 'busline';

/** The reference flow: orders → inventory → shipping → notification, plus per-customer history. */
export class OrdersStack extends Stack {
  readonly flow: EventFlow;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Service level objectives: one alarm each per subscription, and the flow's dashboard. A team
    // adds `alarmAction: new SnsAction(topic)` to be notified (docs/operations.md).
    const flow = new EventFlow(this, 'Orders', {
      slo: { latencyP99: Duration.seconds(5), maxLag: Duration.minutes(5), errorRate: 1 },
    });
    this.flow = flow;
    flow.addDashboard();
    const orderPlaced = flow.addTopic('order.placed', { source: 'shop.orders' });
    const inventoryReserved = flow.addTopic('inventory.reserved', { source: 'shop.inventory' });
    const shipmentScheduled = flow.addTopic('shipment.scheduled', { source: 'shop.shipping' });

    const reservations = table(this, 'Reservations', 'orderId');
    const reserve = flow.addSubscription('reserve-inventory', {
      topic: orderPlaced,
      handler: 'functions/reserve-inventory.ts',
      delivery: Delivery.queue(),
      maxAttempts: 3,
      publishes: [inventoryReserved],
      environment: { RESERVATIONS_TABLE: reservations.tableName },
    });
    // Handlers declare their writes with ctx.write; the runtime commits them with TransactWriteItems,
    // which IAM authorises per action (PutItem, UpdateItem, DeleteItem; ConditionCheckItem for a
    // ConditionCheck): grant the actions the handler declares, as for direct calls.
    reservations.grant(reserve.function, 'dynamodb:UpdateItem');

    const shipments = table(this, 'Shipments', 'orderId');
    const schedule = flow.addSubscription('schedule-shipment', {
      topic: inventoryReserved,
      handler: 'functions/schedule-shipment.ts',
      publishes: [shipmentScheduled],
      environment: { SHIPMENTS_TABLE: shipments.tableName },
    });
    shipments.grant(schedule.function, 'dynamodb:PutItem');

    const notifications = table(this, 'Notifications', 'orderId');
    const notify = flow.addSubscription('notify-customer', {
      topic: shipmentScheduled,
      handler: 'functions/notify-customer.ts',
      delivery: Delivery.direct(),
      environment: { NOTIFICATIONS_TABLE: notifications.tableName },
    });
    notifications.grant(notify.function, 'dynamodb:PutItem');

    const history = table(this, 'CustomerHistory', 'customerId');
    const record = flow.addSubscription('customer-history', {
      topic: orderPlaced,
      handler: 'functions/customer-history.ts',
      delivery: Delivery.ordered({ messageGroupPath: 'customerId' }),
      environment: { CUSTOMER_HISTORY_TABLE: history.tableName },
    });
    history.grant(record.function, 'dynamodb:UpdateItem');
  }
}

/** An on-demand, encrypted table with point-in-time recovery, keyed by one string attribute. */
function table(scope: Construct, id: string, key: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
}
