/**
 * Finding 4 of issue 13: a handler's events must not be visible downstream unless its declared
 * writes committed. Over the wire against the local engine: its EventBridge bus routes what the
 * runtime publishes to a sink queue (what a downstream subscription would receive), its DynamoDB
 * holds the handler's table and the dedupe table. Direct delivery (a bare EventBridge event), so
 * a failed record rejects the invocation and a redelivery is the same call again.
 *
 * The AWS rules modelled: "TransactWriteItems" (DynamoDB API Reference,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
 * the writes are applied all together or, when a condition fails, none of them; "PutEvents"
 * (EventBridge API Reference, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html):
 * an entry for a bus that does not exist fails on its own, with an error code, while the call succeeds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, GetItemCommand, PutItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { wrapHandler, type HandlerContext } from '../../../lib/runtime/index.ts';
import { publishedEventId } from '../../../lib/runtime/effects/event-ids.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { createDedupeTable, readDedupeItem, waitUntilActive } from '../../support/dedupe-table.ts';
import { queueArn } from '../../support/sqs-batch.ts';
import { startEngine, type EngineFixture } from '../../local/support/engine-fixture.ts';
import { SCHEMAS_DIR, eventBridgeEvent, lambdaContext, subscriptionConfig } from '../fixtures/flow.ts';

const validators = await loadValidators(SCHEMAS_DIR);
const TABLE = 'Reservations';
let f: EngineFixture;
let dedupeTable: string;
let n = 0;

before(async () => {
  f = await startEngine({ withoutDynamoDb: false });
  dedupeTable = await createDedupeTable(f.dynamodb, 'commit');
  await f.dynamodb.send(new CreateTableCommand({
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await waitUntilActive(f.dynamodb, TABLE);
});
after(() => f.close());

/** A bus whose inventory.reserved events go to a sink queue: what a downstream subscription sees. */
async function busWithSink(busName: string): Promise<string> {
  await f.events.send(new CreateEventBusCommand({ Name: busName }));
  const sink = (await f.sqs.send(new CreateQueueCommand({ QueueName: `sink-${busName}` }))).QueueUrl!;
  await f.events.send(new PutRuleCommand({ Name: 'downstream', EventBusName: busName, EventPattern: JSON.stringify({ 'detail-type': ['inventory.reserved'] }) }));
  await f.events.send(new PutTargetsCommand({ Rule: 'downstream', EventBusName: busName, Targets: [{ Id: 'sink', Arn: await queueArn(f.sqs, sink) }] }));
  return sink;
}

/** What reached the sink since the last look (a message read once stays hidden). */
async function downstream(sink: string): Promise<Array<{ metadata: { id: string }; data: unknown }>> {
  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: sink, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600 }));
  return (out.Messages ?? []).map((m) => (JSON.parse(m.Body!) as { detail: { metadata: { id: string }; data: unknown } }).detail);
}

type Handler = (data: { orderId: string }, ctx: HandlerContext) => Promise<void>;

function wrap(busName: string, handler: Handler) {
  return wrapHandler(handler, {
    config: subscriptionConfig({ delivery: 'direct', dedupe: { ttlSeconds: 86_400 } }),
    validators,
    busName,
    eventBridgeClient: f.events,
    sqsClient: f.sqs,
    dedupe: { tableName: dedupeTable, client: f.dynamodb },
    output: () => undefined,
  });
}

const reserve = (orderId: string, condition?: string): TransactWriteItem => ({
  Update: {
    TableName: TABLE,
    Key: { orderId: { S: orderId } },
    UpdateExpression: 'ADD runs :one',
    ExpressionAttributeValues: { ':one': { N: '1' } },
    ...(condition ? { ConditionExpression: condition } : {}),
  },
});

async function runsOf(orderId: string): Promise<string | undefined> {
  const out = await f.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { orderId: { S: orderId } }, ConsistentRead: true }));
  return out.Item?.['runs']?.N;
}

test('a handler whose declared write is cancelled by its condition publishes nothing: no event reaches downstream, attempt after attempt', async () => {
  const busName = `commit-bus-${process.pid}-${++n}`;
  const sink = await busWithSink(busName);
  // The order is already reserved: the write's condition fails on every attempt.
  await f.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { orderId: { S: 'taken' }, runs: { N: '1' } } }));
  const handler = wrap(busName, async (order, ctx) => {
    ctx.write(reserve(order.orderId, 'attribute_not_exists(orderId)'));
    await ctx.publish('inventory.reserved', { orderId: order.orderId, reservationId: `r-${order.orderId}` });
  });
  const event = eventBridgeEvent('order.placed', { orderId: 'taken', quantity: 1 }, { id: 'evt-taken' });
  for (let attempt = 1; attempt <= 3; attempt++) {
    await assert.rejects(handler(event, lambdaContext()), (error: Error) => error.name === 'EffectsCanceledError');
  }
  assert.equal(await runsOf('taken'), '1', 'the write never landed');
  assert.deepEqual(await downstream(sink), [], 'and no event for it was published');
});

test('writes committed but the publish failed: the redelivery publishes the parked event once, with its id, without running the handler again', async () => {
  const busName = `late-bus-${process.pid}-${++n}`;
  let handlerRuns = 0;
  const handler = wrap(busName, async (order, ctx) => {
    handlerRuns++;
    ctx.write(reserve(order.orderId));
    await ctx.publish('inventory.reserved', { orderId: order.orderId, reservationId: `r-${order.orderId}` });
  });
  const event = eventBridgeEvent('order.placed', { orderId: 'late', quantity: 1 }, { id: 'evt-late' });

  // The bus does not exist yet: PutEvents fails the entry (ResourceNotFoundException) after the commit.
  await assert.rejects(handler(event, lambdaContext()), (error: Error) => error.name === 'PublishFailedEntriesError');
  assert.equal(await runsOf('late'), '1', 'the writes were committed before anything was published');
  assert.equal((await readDedupeItem(f.dynamodb, dedupeTable, 'reserve-inventory#evt-late'))?.['status']?.S, 'PUBLISHING');

  const sink = await busWithSink(busName);
  assert.equal(await handler(event, lambdaContext()), null);
  assert.equal(handlerRuns, 1, 'the redelivery did not run the handler again');
  assert.equal(await runsOf('late'), '1', 'nor commit its writes again');
  const published = await downstream(sink);
  assert.deepEqual(published.map((e) => [e.metadata.id, e.data]), [
    [publishedEventId('reserve-inventory#evt-late', 'inventory.reserved', 0), { orderId: 'late', reservationId: 'r-late' }],
  ]);
  assert.equal((await readDedupeItem(f.dynamodb, dedupeTable, 'reserve-inventory#evt-late'))?.['status']?.S, 'COMPLETED');

  // A later duplicate publishes nothing more.
  assert.equal(await handler(event, lambdaContext()), null);
  assert.deepEqual(await downstream(sink), [], 'nothing is published twice');
});
