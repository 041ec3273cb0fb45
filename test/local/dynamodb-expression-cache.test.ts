/**
 * The engine's DynamoDB parses each expression once (lib/local/dynamodb/expression-cache.ts): a
 * request that repeats an expression seen before must still be answered exactly as if it were
 * parsed anew, with its own values, its own names and every validation of the expression.
 *
 * DynamoDB rules exercised (DynamoDB Developer Guide):
 * - "Using expression attribute values in DynamoDB",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
 *   (values are substituted at run time; each one defined must be used);
 * - "Condition and filter expressions, operators, and functions",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 *   (BETWEEN's bounds, attribute_type's type names);
 * - "Update expressions", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 *   (ADD takes a number or a set).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConditionalCheckFailedException, GetItemCommand, PutItemCommand, TransactWriteItemsCommand,
  TransactionCanceledException, UpdateItemCommand, type AttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startDynalite, type RunningDynalite } from '../support/dynalite.ts';
import { createStringKeyTable, testDynamoDbClient } from '../support/dedupe-table.ts';

const TABLE = 'Counters';

describe('DynamoDB expressions repeated across requests', () => {
  let db: RunningDynalite;
  let client: DynamoDBClient;

  before(async () => {
    db = await startDynalite();
    client = testDynamoDbClient(db.endpoint);
    await createStringKeyTable(client, TABLE, 'id');
  });

  after(async () => {
    client.destroy();
    await db.stop();
  });

  const item = async (id: string): Promise<Record<string, AttributeValue> | undefined> =>
    (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item;

  /** The same update and condition expressions each time; only the names and values given change. */
  const swapWith = (id: string, names: Record<string, string>, values: Record<string, AttributeValue>) => client.send(new UpdateItemCommand({
    TableName: TABLE,
    Key: { id: { S: id } },
    UpdateExpression: 'SET #v = :next',
    ConditionExpression: '#v = :expected AND (attribute_exists(id) OR #v <> :next)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }));
  const swap = (id: string, expected: string, next: string) => swapWith(id, { '#v': 'version' }, { ':expected': { S: expected }, ':next': { S: next } });

  async function validationMessage(work: Promise<unknown>): Promise<string> {
    const error = await work.then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, 'the request should have been refused');
    assert.equal(error.name, 'ValidationException', error.message);
    return error.message;
  }

  test('a repeated condition is evaluated against the new request\'s values', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'a' }, version: { S: 'v1' } } }));
    await swap('a', 'v1', 'v2');
    await assert.rejects(swap('a', 'v1', 'v3'), ConditionalCheckFailedException);
    await swap('a', 'v2', 'v3');
    assert.deepEqual((await item('a'))?.['version'], { S: 'v3' });
  });

  test('a repeated update expression writes the new request\'s values', async () => {
    const add = (id: string, by: string, tag: string) => client.send(new UpdateItemCommand({
      TableName: TABLE,
      Key: { id: { S: id } },
      UpdateExpression: 'ADD n :by SET tags = list_append(if_not_exists(tags, :empty), :tag)',
      ExpressionAttributeValues: { ':by': { N: by }, ':empty': { L: [] }, ':tag': { L: [{ S: tag }] } },
    }));
    await add('b', '2', 'first');
    await add('b', '5', 'second');
    const stored = await item('b');
    assert.deepEqual(stored?.['n'], { N: '7' });
    assert.deepEqual(stored?.['tags'], { L: [{ S: 'first' }, { S: 'second' }] });
  });

  test('a repeated condition in a transaction is checked with the new request\'s values', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'lock' }, lockToken: { S: 't1' } } }));
    const mark = (token: string) => client.send(new TransactWriteItemsCommand({
      TransactItems: [{
        Update: {
          TableName: TABLE, Key: { id: { S: 'lock' } },
          UpdateExpression: 'SET done = :yes', ConditionExpression: 'lockToken = :token',
          ExpressionAttributeValues: { ':yes': { BOOL: true }, ':token': { S: token } },
        },
      }],
    }));
    await assert.rejects(mark('t2'), TransactionCanceledException);
    await mark('t1');
    assert.deepEqual((await item('lock'))?.['done'], { BOOL: true });
  });

  test('a value the repeated expression does not use is refused', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'c' }, version: { S: 'v1' } } }));
    await swap('c', 'v1', 'v2');
    const message = await validationMessage(swapWith('c', { '#v': 'version' }, { ':expected': { S: 'v2' }, ':next': { S: 'v3' }, ':extra': { S: 'x' } }));
    assert.match(message, /ExpressionAttributeValues unused in expressions: keys: \{:extra\}/);
  });

  test('a name the repeated expression uses but the request does not define is refused', async () => {
    await swap('d', 'v1', 'v2').catch(() => undefined);
    const message = await validationMessage(swapWith('d', { '#w': 'version' }, { ':expected': { S: 'v1' }, ':next': { S: 'v2' } }));
    assert.match(message, /attribute name used in the document path is not defined; attribute name: #v/);
  });

  test('an operand of the wrong type is refused in a repeated update expression', async () => {
    const add = (by: AttributeValue) => client.send(new UpdateItemCommand({
      TableName: TABLE, Key: { id: { S: 'e' } }, UpdateExpression: 'ADD n :by', ExpressionAttributeValues: { ':by': by },
    }));
    await add({ N: '1' });
    const message = await validationMessage(add({ S: 'one' }));
    assert.match(message, /Incorrect operand type for operator or function; operator: ADD, operand type: STRING/);
  });

  test('BETWEEN bounds in the wrong order are refused although the expression was seen before', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'f' }, n: { N: '5' } } }));
    const within = (low: string, high: string) => client.send(new UpdateItemCommand({
      TableName: TABLE, Key: { id: { S: 'f' } }, UpdateExpression: 'SET checked = :yes', ConditionExpression: 'n BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':low': { N: low }, ':high': { N: high }, ':yes': { BOOL: true } },
    }));
    await within('1', '9');
    const message = await validationMessage(within('9', '1'));
    assert.match(message, /BETWEEN operator requires upper bound to be greater than or equal to lower bound/);
  });

  test('an unknown attribute_type name is refused although the expression was seen before', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'g' }, n: { N: '5' } } }));
    const typed = (type: string) => client.send(new UpdateItemCommand({
      TableName: TABLE, Key: { id: { S: 'g' } }, UpdateExpression: 'SET checked = :yes', ConditionExpression: 'attribute_type(n, :type)',
      ExpressionAttributeValues: { ':type': { S: type }, ':yes': { BOOL: true } },
    }));
    await typed('N');
    const message = await validationMessage(typed('NUMBER'));
    assert.match(message, /Invalid attribute type name found; type: NUMBER/);
  });
});
