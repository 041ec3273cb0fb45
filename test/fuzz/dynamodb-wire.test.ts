/**
 * DynamoDB's JSON 1.0 wire (`X-Amz-Target: DynamoDB_20120810.<Action>`) of the engine under
 * hostile input: every request is answered correctly or with a DynamoDB error (4xx, `__type` and a
 * message: "Error handling with DynamoDB", DynamoDB developer guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html),
 * including items over the 400 KB limit; the engine stays up; and an item PutItem accepted is
 * read back by GetItem as written. Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startEngine, type EngineFixture } from '../local/support/engine-fixture.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';
import { assertAlive, send } from '../support/raw-wire.ts';
import { assertAwsJsonAnswer } from './support/aws-shape.ts';
import { anyJson, clientHeaders, field, hugeString, jsonBody, request } from './support/wire-inputs.ts';

const FILE = 'test/fuzz/dynamodb-wire.test.ts';
const TABLE = 'fuzz-table';

let fixture: EngineFixture;

before(async () => {
  fixture = await startEngine({ withoutDynamoDb: false });
  const created = await dynamodb('CreateTable', {
    TableName: TABLE,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
});
after(() => fixture?.close());

async function dynamodb(action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await send(fixture.engine.endpoint, { headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${action}` }, body: JSON.stringify(input) });
  return { status: answer.status, body: assertAwsJsonAnswer(answer) };
}

/** An attribute value: each of DynamoDB's types, with good or bad contents, or not an attribute value at all. */
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ S: field(fc.oneof(fc.string(), hugeString)) }),
  fc.record({ N: field(fc.constantFrom('1', '-0', '1e126', '1e-131', 'NaN', 'x', '', '12345678901234567890123456789012345678901')) }),
  fc.record({ B: field(fc.base64String()) }),
  fc.record({ BOOL: field(fc.boolean()) }),
  fc.record({ NULL: field(fc.constant(true)) }),
  fc.record({ SS: field(fc.array(fc.string(), { maxLength: 3 })) }),
  fc.record({ NS: field(fc.array(fc.constantFrom('1', '1', 'x'), { maxLength: 3 })) }),
  fc.record({ L: field(fc.array(fc.record({ S: fc.string() }), { maxLength: 2 })) }),
  fc.record({ M: field(fc.dictionary(fc.string(), fc.record({ N: fc.constant('1') }), { maxKeys: 2 })) }),
  fc.record({ S: fc.string(), N: fc.constant('1') }),
  anyJson,
);
const item = fc.dictionary(fc.oneof(fc.constantFrom('pk', 'sk', 'n', ''), fc.string({ maxLength: 10 })), field(attributeValue), { maxKeys: 4 });
const key = fc.oneof(fc.record({ pk: field(attributeValue) }), item);
const tableName = field(fc.oneof(fc.constantFrom(TABLE, 'fuzz-missing', ''), fc.string({ maxLength: 260 })));
const expression = field(fc.oneof(fc.constantFrom('attribute_not_exists(pk)', 'pk = :v', '#n = :v', 'SET n = n + :v', 'REMOVE n', 'pk = :missing', '(', 'SIZE(pk) > :v'), fc.string()));
const names = field(fc.dictionary(fc.constantFrom('#n', 'n', '#x'), field(fc.constantFrom('n', 'pk', '')), { maxKeys: 2 }));
const values = field(fc.dictionary(fc.constantFrom(':v', 'v', ':missing'), field(attributeValue), { maxKeys: 2 }));
const write = request({ TableName: tableName, Item: field(item), Key: field(key), ConditionExpression: expression, UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values });

/** Each action with the members its input has (any may be missing or of another type). */
const INPUTS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  PutItem: request({ TableName: tableName, Item: field(item), ConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: field(fc.constantFrom('ALL_OLD', 'NONE', 'ALL_NEW')), ReturnValuesOnConditionCheckFailure: field(fc.constantFrom('ALL_OLD', 'NONE', 'x')) }),
  GetItem: request({ TableName: tableName, Key: field(key), ConsistentRead: field(fc.boolean()), ProjectionExpression: expression, ExpressionAttributeNames: names }),
  UpdateItem: request({ TableName: tableName, Key: field(key), UpdateExpression: expression, ConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: field(fc.constantFrom('ALL_NEW', 'UPDATED_OLD', 'x')) }),
  DeleteItem: request({ TableName: tableName, Key: field(key), ConditionExpression: expression, ExpressionAttributeValues: values }),
  Query: request({ TableName: tableName, KeyConditionExpression: expression, FilterExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values, Limit: field(fc.integer()), ExclusiveStartKey: field(key) }),
  Scan: request({ TableName: tableName, FilterExpression: expression, ExpressionAttributeValues: values, Limit: field(fc.integer()), Segment: field(fc.integer()), TotalSegments: field(fc.integer()) }),
  BatchWriteItem: request({ RequestItems: field(fc.dictionary(fc.constantFrom(TABLE, 'fuzz-missing'), field(fc.array(field(fc.oneof(fc.record({ PutRequest: field(request({ Item: field(item) })) }), fc.record({ DeleteRequest: field(request({ Key: field(key) })) }))), { maxLength: 3 })), { maxKeys: 2 })) }),
  BatchGetItem: request({ RequestItems: field(fc.dictionary(fc.constantFrom(TABLE, 'fuzz-missing'), field(request({ Keys: field(fc.array(field(key), { maxLength: 3 })) })), { maxKeys: 2 })) }),
  TransactWriteItems: request({
    TransactItems: field(fc.array(field(fc.oneof(fc.record({ Put: field(write) }), fc.record({ Update: field(write) }), fc.record({ Delete: field(write) }), fc.record({ ConditionCheck: field(write) }), fc.record({ Put: field(write), Delete: field(write) }))), { maxLength: 4 })),
    ClientRequestToken: field(fc.string({ maxLength: 40 })),
  }),
  TransactGetItems: request({ TransactItems: field(fc.array(field(fc.record({ Get: field(request({ TableName: tableName, Key: field(key) })) })), { maxLength: 3 })) }),
  DescribeTable: request({ TableName: tableName }),
  ListTables: request({ Limit: field(fc.integer()), ExclusiveStartTableName: field(fc.string()) }),
  CreateTable: request({ TableName: field(fc.constantFrom('fuzz-new', TABLE)), AttributeDefinitions: field(fc.array(field(request({ AttributeName: field(fc.string()), AttributeType: field(fc.constantFrom('S', 'N', 'X')) })), { maxLength: 2 })), KeySchema: field(fc.array(field(request({ AttributeName: field(fc.string()), KeyType: field(fc.constantFrom('HASH', 'RANGE')) })), { maxLength: 2 })), BillingMode: field(fc.constant('PAY_PER_REQUEST')) }),
  DeleteTable: request({ TableName: field(fc.constantFrom('fuzz-new', 'fuzz-missing')) }),
  UpdateTimeToLive: request({ TableName: tableName, TimeToLiveSpecification: field(request({ Enabled: field(fc.boolean()), AttributeName: field(fc.string()) })) }),
};

const call = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...Object.keys(INPUTS)).chain((action) => fc.record({ action: fc.constant(action), body: jsonBody(INPUTS[action]!) })) },
  { weight: 1, arbitrary: fc.record({ action: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'putItem', 'ExecuteStatement')), body: jsonBody(request({})) }) },
);

test('every DynamoDB request is answered correctly or with a DynamoDB error, and the engine stays up', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(call, clientHeaders, async ({ action, body }, headers) => {
      const answer = await send(fixture.engine.endpoint, { headers: { ...headers, 'x-amz-target': `DynamoDB_20120810.${action}` }, body });
      assertAwsJsonAnswer(answer);
      await assertAlive(fixture.engine.endpoint);
    }),
    250,
  );
});

test('an item PutItem accepted is read back by GetItem as written', async () => {
  await checkFuzzProperty(
    FILE,
    fc.asyncProperty(fc.string({ minLength: 1 }), item, async (pk, attributes) => {
      const written = { ...attributes, pk: { S: pk } };
      const put = await dynamodb('PutItem', { TableName: TABLE, Item: written });
      if (put.status !== 200) return;
      const got = await dynamodb('GetItem', { TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true });
      assert.equal(got.status, 200);
      assert.ok(got.body['Item'], `PutItem accepted ${JSON.stringify(written).slice(0, 300)} but GetItem finds nothing`);
      assert.deepEqual(Object.keys(got.body['Item'] as object).sort(), Object.keys(written).sort());
    }),
    100,
  );
});
