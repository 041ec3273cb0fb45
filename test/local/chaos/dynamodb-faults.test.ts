/**
 * The chaos mode's DynamoDB faults on item requests over the wire: throttling and transaction
 * conflicts, each journaled as a chaos.fault with its table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { ChaosProfile } from '../../../lib/local/chaos/profile.ts';
import { mulberry32, streamSeed } from '../../../lib/local/chaos/prng.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from '../support/engine-fixture.ts';
import { faultsOf } from './support.ts';

async function engineWithTable(chaos: ChaosProfile): Promise<EngineFixture> {
  const fx = await startEngine({ withoutDynamoDb: false, chaos });
  await fx.engine.createTable({
    TableName: 'ledger', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  });
  return fx;
}

const client = (fx: EngineFixture, maxAttempts: number): DynamoDBClient =>
  new DynamoDBClient({ endpoint: fx.engine.endpoint, region: fx.engine.region, credentials: TEST_CREDENTIALS, maxAttempts });

test('dynamodb-throttle: a request fails with ProvisionedThroughputExceededException (HTTP 400) and writes nothing', async () => {
  // ProvisionedThroughputExceededException: "The request was denied due to request throttling …
  // The AWS SDKs for DynamoDB automatically retry requests that receive this exception" (DynamoDB
  // API Reference, https://docs.aws.amazon.com/botocore/latest/reference/services/dynamodb/client/exceptions/ProvisionedThroughputExceededException.html;
  // error shape: Developer Guide, "Error handling with DynamoDB",
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
  const fx = await engineWithTable({ seed: 1, dynamodbThrottle: 1 });
  const ddb = client(fx, 1);
  try {
    await assert.rejects(ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'a' } } })), (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
      e.name === 'ProvisionedThroughputExceededException' && e.$metadata?.httpStatusCode === 400);
    const faults = await faultsOf(fx.engine, 'dynamodb-throttle');
    assert.deepEqual(faults.map((f) => [f.table, f.errorCode, f.detail]), [['ledger', 'ProvisionedThroughputExceededException', 'PutItem throttled']]);
  } finally {
    ddb.destroy();
    await fx.close();
  }
});

test("dynamodb-throttle: the AWS SDK retries a throttled request on its own, and it succeeds", async () => {
  // The seed is picked so that the table's throttle stream strikes the first request and spares
  // the second: the same seed always gives the same draws (lib/local/chaos/prng.ts).
  const p = 0.5;
  let seed = 0;
  for (;; seed++) {
    const next = mulberry32(streamSeed(seed, 'dynamodb-throttle\nledger'));
    if (next() < p && next() >= p) break;
  }
  const fx = await engineWithTable({ seed, dynamodbThrottle: p });
  const ddb = client(fx, 3);
  try {
    await ddb.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'k' } } }));
    assert.deepEqual((await faultsOf(fx.engine, 'dynamodb-throttle')).map((f) => f.detail), ['PutItem throttled']);
    const fresh = new DynamoDBClient({ endpoint: fx.engine.dynamoDbEndpoint!, region: fx.engine.region, credentials: TEST_CREDENTIALS });
    try {
      // Read past the wire endpoint (no faults there): the item was written by the retry.
      assert.equal((await fresh.send(new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: 'k' } } }))).Item?.['pk']?.S, 'k');
    } finally {
      fresh.destroy();
    }
  } finally {
    ddb.destroy();
    await fx.close();
  }
});

test('transaction-conflict: TransactWriteItems is cancelled with one TransactionConflict reason, None for the rest, and nothing is written', async () => {
  // TransactionCanceledException: DynamoDB cancels a TransactWriteItems when "There is an ongoing
  // TransactWriteItems operation that conflicts with a concurrent TransactWriteItems request";
  // CancellationReasons lists one reason per item in request order (DynamoDB API Reference,
  // https://docs.aws.amazon.com/botocore/latest/reference/services/dynamodb/client/exceptions/TransactionCanceledException.html).
  const fx = await engineWithTable({ seed: 1, transactionConflict: 1 });
  const ddb = client(fx, 1);
  try {
    const error = await ddb.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'ledger', Item: { pk: { S: 'x' } } } },
        { Put: { TableName: 'ledger', Item: { pk: { S: 'y' } } } },
      ],
    })).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TransactionCanceledException);
    const codes = error.CancellationReasons?.map((r) => r.Code) ?? [];
    assert.equal(codes.length, 2);
    assert.deepEqual([...codes].sort(), ['None', 'TransactionConflict']);
    for (const pk of ['x', 'y']) assert.equal((await ddb.send(new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: pk } } }))).Item, undefined);
    const faults = await faultsOf(fx.engine, 'transaction-conflict');
    assert.deepEqual(faults.map((f) => [f.table, f.errorCode]), [['ledger', 'TransactionCanceledException']]);
    assert.match(faults[0]!.detail, new RegExp(`item ${codes.indexOf('TransactionConflict') + 1} of 2`));
  } finally {
    ddb.destroy();
    await fx.close();
  }
});
