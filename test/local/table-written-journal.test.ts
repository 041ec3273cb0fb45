/**
 * The journal's `table.written` records: every DynamoDB write request over the wire that
 * succeeded is journaled with the items it committed (table, operation, primary key, digest of
 * the item's part of the request); a refused write is not. What `busline soak` counts effects by.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand, ConditionalCheckFailedException, CreateTableCommand, DeleteItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';
import type { TableWrittenRecord } from '../../lib/local/index.ts';

let fx: EngineFixture;

before(async () => {
  fx = await startEngine({ withoutDynamoDb: false });
  await fx.dynamodb.send(new CreateTableCommand({
    TableName: 'Things',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'at', AttributeType: 'N' }, { AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});
after(() => fx.close());

/** The table.written records journaled after `seq`. */
async function writtenAfter(seq: number): Promise<TableWrittenRecord[]> {
  return (await fx.engine.journalQuery({ kinds: ['table.written'], afterSeq: seq })).filter((r): r is TableWrittenRecord => r.kind === 'table.written');
}

async function lastSeq(): Promise<number> {
  return (await fx.engine.journalQuery({})).at(-1)?.seq ?? 0;
}

test('a PutItem is journaled with its table, operation and key in key-schema order (hash, then range)', async () => {
  const from = await lastSeq();
  await fx.dynamodb.send(new PutItemCommand({ TableName: 'Things', Item: { at: { N: '1' }, name: { S: 'one' }, id: { S: 'a' } } }));
  const [record, ...rest] = await writtenAfter(from);
  assert.equal(rest.length, 0);
  assert.equal(record!.action, 'PutItem');
  assert.deepEqual(record!.items.map(({ table, op, key }) => ({ table, op, key })), [{ table: 'Things', op: 'Put', key: '{"id":{"S":"a"},"at":{"N":"1"}}' }]);
});

test('two identical UpdateItem requests have the same digest, a different one another', async () => {
  const from = await lastSeq();
  const update = (by: string) => new UpdateItemCommand({
    TableName: 'Things', Key: { id: { S: 'b' }, at: { N: '1' } }, UpdateExpression: 'ADD runs :n', ExpressionAttributeValues: { ':n': { N: by } },
  });
  await fx.dynamodb.send(update('1'));
  await fx.dynamodb.send(update('1'));
  await fx.dynamodb.send(update('2'));
  const digests = (await writtenAfter(from)).map((r) => r.items[0]!.digest);
  assert.equal(digests.length, 3);
  assert.equal(digests[0], digests[1]);
  assert.notEqual(digests[1], digests[2]);
});

test('a TransactWriteItems is one record listing its Put, Update and Delete items, not its ConditionCheck', async () => {
  const from = await lastSeq();
  await fx.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: 'Things', Item: { id: { S: 'c' }, at: { N: '1' } } } },
    { Update: { TableName: 'Things', Key: { id: { S: 'c' }, at: { N: '2' } }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { S: 'y' } } } },
    { Delete: { TableName: 'Things', Key: { id: { S: 'a' }, at: { N: '1' } } } },
    { ConditionCheck: { TableName: 'Things', Key: { id: { S: 'b' }, at: { N: '1' } }, ConditionExpression: 'attribute_exists(id)' } },
  ] }));
  const records = await writtenAfter(from);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.action, 'TransactWriteItems');
  assert.deepEqual(records[0]!.items.map((i) => `${i.op} ${i.key}`), [
    'Put {"id":{"S":"c"},"at":{"N":"1"}}', 'Update {"id":{"S":"c"},"at":{"N":"2"}}', 'Delete {"id":{"S":"a"},"at":{"N":"1"}}',
  ]);
});

test('a BatchWriteItem is journaled with each of its puts and deletes', async () => {
  const from = await lastSeq();
  await fx.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { Things: [
    { PutRequest: { Item: { id: { S: 'd' }, at: { N: '1' } } } },
    { DeleteRequest: { Key: { id: { S: 'c' }, at: { N: '1' } } } },
  ] } }));
  const [record] = await writtenAfter(from);
  assert.deepEqual(record!.items.map((i) => `${i.op} ${i.key}`), ['Put {"id":{"S":"d"},"at":{"N":"1"}}', 'Delete {"id":{"S":"c"},"at":{"N":"1"}}']);
});

test('a write refused by its condition, or a delete, commits what it says: only the delete is journaled', async () => {
  const from = await lastSeq();
  await assert.rejects(fx.dynamodb.send(new PutItemCommand({
    TableName: 'Things', Item: { id: { S: 'd' }, at: { N: '1' } }, ConditionExpression: 'attribute_not_exists(id)',
  })), ConditionalCheckFailedException);
  await fx.dynamodb.send(new DeleteItemCommand({ TableName: 'Things', Key: { id: { S: 'd' }, at: { N: '1' } } }));
  const records = await writtenAfter(from);
  assert.deepEqual(records.map((r) => r.action), ['DeleteItem']);
});
