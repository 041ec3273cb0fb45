/**
 * TransactWriteItems and TransactGetItems (and ReturnValuesOnConditionCheckFailure on a single
 * write) on the engine's DynamoDB backend, over the wire with the AWS SDK v3 client. The cases
 * that compare outcomes also run against moto_server (which implements them) and must answer
 * alike.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactGetItemsCommand, TransactWriteItemsCommand,
  TransactionCanceledException, UpdateItemCommand, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../lib/local/dynamodb/start-local-dynamodb.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing, startMotoServer, type MotoServer } from '../support/moto-server.ts';

const CREDENTIALS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

async function createTables(client: DynamoDBClient): Promise<void> {
  for (const name of ['Accounts', 'Ledger']) {
    await client.send(new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }
}

const put = (table: string, id: string, extra: Record<string, { N: string } | { S: string }> = {}): TransactWriteItem => ({
  Put: { TableName: table, Item: { id: { S: id }, ...extra } },
});

async function balance(client: DynamoDBClient, id: string): Promise<string | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: 'Accounts', Key: { id: { S: id } }, ConsistentRead: true }));
  return out.Item?.['balance']?.N;
}

async function cancellation(work: Promise<unknown>): Promise<TransactionCanceledException> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return error;
    throw error;
  }
  assert.fail('the transaction was not cancelled');
}

/** The behaviours both endpoints must show, each given a fresh id prefix. */
function sharedCases(endpoint: () => DynamoDBClient): void {
  let n = 0;
  const fresh = (): string => `t${++n}-${Date.now()}`;

  test('all actions apply together: a Put, an Update and a Delete in one transaction', async () => {
    const client = endpoint();
    const id = fresh();
    await client.send(new PutItemCommand({ TableName: 'Ledger', Item: { id: { S: `${id}-old` } } }));
    await client.send(new TransactWriteItemsCommand({
      TransactItems: [
        put('Accounts', `${id}-a`, { balance: { N: '10' } }),
        { Update: { TableName: 'Accounts', Key: { id: { S: `${id}-b` } }, UpdateExpression: 'ADD balance :n', ExpressionAttributeValues: { ':n': { N: '5' } } } },
        { Delete: { TableName: 'Ledger', Key: { id: { S: `${id}-old` } } } },
      ],
    }));
    assert.equal(await balance(client, `${id}-a`), '10');
    assert.equal(await balance(client, `${id}-b`), '5');
    const gone = await client.send(new GetItemCommand({ TableName: 'Ledger', Key: { id: { S: `${id}-old` } } }));
    assert.equal(gone.Item, undefined);
  });

  test('one failed ConditionCheck cancels every action, with one reason per action in request order', async () => {
    const client = endpoint();
    const id = fresh();
    const error = await cancellation(client.send(new TransactWriteItemsCommand({
      TransactItems: [
        put('Accounts', `${id}-a`, { balance: { N: '10' } }),
        { ConditionCheck: { TableName: 'Ledger', Key: { id: { S: `${id}-missing` } }, ConditionExpression: 'attribute_exists(id)' } },
        { Update: { TableName: 'Accounts', Key: { id: { S: `${id}-b` } }, UpdateExpression: 'ADD balance :n', ExpressionAttributeValues: { ':n': { N: '5' } } } },
      ],
    })));
    assert.deepEqual(error.CancellationReasons?.map((r) => r.Code), ['None', 'ConditionalCheckFailed', 'None']);
    assert.equal(await balance(client, `${id}-a`), undefined);
    assert.equal(await balance(client, `${id}-b`), undefined);
  });

  test('a failed condition with ReturnValuesOnConditionCheckFailure ALL_OLD returns the item in its reason', async () => {
    const client = endpoint();
    const id = fresh();
    await client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: id }, balance: { N: '3' } } }));
    const error = await cancellation(client.send(new TransactWriteItemsCommand({
      TransactItems: [{
        Update: {
          TableName: 'Accounts', Key: { id: { S: id } }, UpdateExpression: 'SET balance = balance - :n',
          ConditionExpression: 'balance >= :n', ExpressionAttributeValues: { ':n': { N: '5' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      }],
    })));
    assert.equal(error.CancellationReasons?.[0]?.Code, 'ConditionalCheckFailed');
    assert.deepEqual(error.CancellationReasons?.[0]?.Item, { id: { S: id }, balance: { N: '3' } });
    assert.equal(await balance(client, id), '3');
  });

  test('a single PutItem whose condition fails with ReturnValuesOnConditionCheckFailure ALL_OLD carries the item in its error', async () => {
    const client = endpoint();
    const id = fresh();
    await client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: id }, balance: { N: '7' } } }));
    await assert.rejects(
      client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: id } }, ConditionExpression: 'attribute_not_exists(id)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
      (error: unknown) => {
        assert.ok(error instanceof ConditionalCheckFailedException);
        assert.deepEqual(error.Item, { id: { S: id }, balance: { N: '7' } });
        return true;
      },
    );
  });

  test('two actions on the same item are a ValidationException, and nothing is written', async () => {
    const client = endpoint();
    const id = fresh();
    await assert.rejects(
      client.send(new TransactWriteItemsCommand({ TransactItems: [put('Accounts', id, { balance: { N: '1' } }), put('Accounts', id, { balance: { N: '2' } })] })),
      (error: Error) => error.name === 'ValidationException',
    );
    assert.equal(await balance(client, id), undefined);
  });

  test('more than 100 actions are a ValidationException', async () => {
    const client = endpoint();
    const id = fresh();
    const items = Array.from({ length: 101 }, (_, i) => put('Accounts', `${id}-${i}`));
    await assert.rejects(client.send(new TransactWriteItemsCommand({ TransactItems: items })), (error: Error) => error.name === 'ValidationException');
  });

  test('TransactGetItems returns the items in request order, an empty entry for a missing one', async () => {
    const client = endpoint();
    const id = fresh();
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('Accounts', `${id}-a`, { balance: { N: '1' } }), put('Ledger', `${id}-l`)] }));
    const out = await client.send(new TransactGetItemsCommand({
      TransactItems: [
        { Get: { TableName: 'Ledger', Key: { id: { S: `${id}-l` } } } },
        { Get: { TableName: 'Accounts', Key: { id: { S: `${id}-none` } } } },
        { Get: { TableName: 'Accounts', Key: { id: { S: `${id}-a` } } } },
      ],
    }));
    assert.deepEqual(out.Responses?.map((r) => r.Item?.['id']?.S ?? null), [`${id}-l`, null, `${id}-a`]);
  });
}

describe('the engine DynamoDB backend', () => {
  let local: LocalDynamoDb;
  let client: DynamoDBClient;
  before(async () => {
    local = await startLocalDynamoDb();
    client = new DynamoDBClient({ ...CREDENTIALS, endpoint: local.endpoint });
    await createTables(client);
  });
  after(async () => {
    client?.destroy();
    await local?.stop();
  });

  sharedCases(() => client);

  test('a cancelled Update with a type error reports ValidationError for that action', async () => {
    await client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: 'typed' }, balance: { S: 'ten' } } }));
    const error = await cancellation(client.send(new TransactWriteItemsCommand({
      TransactItems: [
        put('Ledger', 'typed-l'),
        { Update: { TableName: 'Accounts', Key: { id: { S: 'typed' } }, UpdateExpression: 'ADD balance :n', ExpressionAttributeValues: { ':n': { N: '1' } } } },
      ],
    })));
    assert.deepEqual(error.CancellationReasons?.map((r) => r.Code), ['None', 'ValidationError']);
  });

  test("a transaction's writes reach the table's global secondary index", async () => {
    await client.send(new CreateTableCommand({
      TableName: 'Indexed',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'owner', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await client.send(new PutItemCommand({ TableName: 'Indexed', Item: { id: { S: 'moved' }, owner: { S: 'ann' } } }));
    await client.send(new TransactWriteItemsCommand({
      TransactItems: [
        put('Indexed', 'new', { owner: { S: 'bob' } }),
        { Update: { TableName: 'Indexed', Key: { id: { S: 'moved' } }, UpdateExpression: 'SET #o = :bob', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':bob': { S: 'bob' } } } },
      ],
    }));
    const owned = async (owner: string) => (await client.send(new QueryCommand({
      TableName: 'Indexed', IndexName: 'byOwner', KeyConditionExpression: '#o = :o',
      ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': { S: owner } },
    }))).Items?.map((i) => i['id']?.S).sort();
    assert.deepEqual(await owned('bob'), ['moved', 'new']);
    assert.deepEqual(await owned('ann'), []);
  });

  test('transactions are atomic against concurrent single-item writes to the same items', async () => {
    // Each transaction moves 1 from x to y only while x stays ≥ 0; single UpdateItems add to x
    // meanwhile. Any lost update or torn transaction breaks the sum or the floor.
    await client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: 'x' }, balance: { N: '20' } } }));
    await client.send(new PutItemCommand({ TableName: 'Accounts', Item: { id: { S: 'y' }, balance: { N: '0' } } }));
    const move = (): Promise<unknown> => client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Update: { TableName: 'Accounts', Key: { id: { S: 'x' } }, UpdateExpression: 'ADD balance :m', ConditionExpression: 'balance >= :one', ExpressionAttributeValues: { ':m': { N: '-1' }, ':one': { N: '1' } } } },
        { Update: { TableName: 'Accounts', Key: { id: { S: 'y' } }, UpdateExpression: 'ADD balance :p', ExpressionAttributeValues: { ':p': { N: '1' } } } },
      ],
    })).catch((error: unknown) => (error instanceof TransactionCanceledException ? 'cancelled' : Promise.reject(error)));
    const deposit = (): Promise<unknown> => client.send(new UpdateItemCommand({
      TableName: 'Accounts', Key: { id: { S: 'x' } }, UpdateExpression: 'ADD balance :p', ExpressionAttributeValues: { ':p': { N: '1' } },
    }));
    const results = await Promise.all([...Array.from({ length: 60 }, move), ...Array.from({ length: 10 }, deposit)]);
    const moved = results.slice(0, 60).filter((r) => r !== 'cancelled').length;
    const x = Number(await balance(client, 'x'));
    const y = Number(await balance(client, 'y'));
    assert.equal(y, moved);
    assert.equal(x + y, 30);
    assert.ok(x >= 0);
  });
});

const motoMissing = motoServerMissing();
describe('moto_server answers the same cases alike', { skip: motoMissing }, () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  before(async () => {
    moto = await startMotoServer();
    client = new DynamoDBClient({ region: MOTO_REGION, credentials: MOTO_CREDENTIALS, endpoint: moto.endpoint });
    await createTables(client);
  });
  after(async () => {
    client?.destroy();
    await moto?.stop();
  });

  sharedCases(() => client);
});
