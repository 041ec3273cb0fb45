/**
 * DynamoDB requests whose body does not fit the operation's shapes get DynamoDB's client error
 * (HTTP 400, `__type` and a message: "Error handling with DynamoDB", DynamoDB developer guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html);
 * SerializationException is the name the JSON protocol gives a body that does not deserialize into
 * the operation's input, as dynalite already answers for members of the wrong type. Before, a null
 * where dynalite's validators expected a value answered 500 InternalServerError. Found by the
 * DynamoDB wire fuzzer (test/fuzz/dynamodb-wire.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';
import { send } from '../support/raw-wire.ts';

let f: EngineFixture;

before(async () => {
  f = await startEngine({ withoutDynamoDb: false });
  const created = await call('CreateTable', {
    TableName: 'shapes',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  assert.equal(created.status, 200);
});
after(() => f?.close());

async function call(action: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await send(f.engine.endpoint, {
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${action}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown> };
}

for (const [what, action, input] of [
  ['a key attribute that is null', 'GetItem', { TableName: 'shapes', Key: { pk: null } }],
  ['a null among BatchGetItem keys', 'BatchGetItem', { RequestItems: { shapes: { Keys: [null] } } }],
  ['an item attribute that is null', 'PutItem', { TableName: 'shapes', Item: { pk: { S: 'a' }, n: null } }],
] as const) {
  test(`a request with ${what} is refused with SerializationException (400), not an internal error`, async () => {
    const { status, body } = await call(action, input);
    assert.equal(status, 400);
    assert.equal(body['__type'], 'com.amazon.coral.service#SerializationException');
    assert.match(String(body['message']), new RegExp(action));
  });
}

test('an empty request body is refused with SerializationException and a message saying so', async () => {
  const { status, body } = await call('GetItem', '');
  assert.equal(status, 400);
  assert.equal(body['__type'], 'com.amazon.coral.service#SerializationException');
  assert.match(String(body['message']), /empty/);
});
