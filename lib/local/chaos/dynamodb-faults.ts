/**
 * The chaos mode's DynamoDB faults, on item requests over the wire (not table management):
 *
 * - dynamodb-throttle: the request fails with ProvisionedThroughputExceededException (HTTP 400),
 *   which the AWS SDKs retry on their own ("The AWS SDKs for DynamoDB automatically retry
 *   requests that receive this exception");
 * - transaction-conflict: a TransactWriteItems is cancelled with TransactionCanceledException,
 *   one item's CancellationReason `TransactionConflict` ("There is an ongoing TransactWriteItems
 *   operation that conflicts with a concurrent TransactWriteItems request") and `None` for the
 *   others; nothing is written. The SDKs do not retry it: the caller sees it.
 */
import { tablesOf } from '../dynamodb/dynamodb-service.ts';
import { transactionCanceled, type CancellationReason, type WireReply } from '../dynamodb/errors.ts';
import type { Chaos } from './chaos.ts';

const ITEM_ACTIONS: ReadonlySet<string> = new Set([
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems',
]);

/** The reply a fault gives the request instead of its answer, or undefined to answer it. */
export function dynamoDbFaults(chaos: Chaos): (action: string, input: unknown) => WireReply | undefined {
  return (action, input) => {
    if (!ITEM_ACTIONS.has(action)) return undefined;
    const table = [...tablesOf(input)].sort()[0] ?? '';
    if (action === 'TransactWriteItems' && chaos.strikes('transaction-conflict', table)) {
      const count = Math.max(1, Array.isArray((input as { TransactItems?: unknown }).TransactItems) ? (input as { TransactItems: unknown[] }).TransactItems.length : 1);
      const conflicting = Math.floor(chaos.draw('transaction-conflict', table) * count);
      const reasons: CancellationReason[] = Array.from({ length: count }, (_, i) => (i === conflicting
        ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item (injected by the chaos mode)' }
        : { Code: 'None' }));
      chaos.record({ fault: 'transaction-conflict', table, errorCode: 'TransactionCanceledException', detail: `TransactWriteItems cancelled: item ${conflicting + 1} of ${count} in a TransactionConflict` });
      return transactionCanceled(reasons);
    }
    if (chaos.strikes('dynamodb-throttle', table)) {
      chaos.record({ fault: 'dynamodb-throttle', table, errorCode: 'ProvisionedThroughputExceededException', detail: `${action} throttled` });
      return {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded (injected by the chaos mode).',
        },
      };
    }
    return undefined;
  };
}
