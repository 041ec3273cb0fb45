/**
 * Issue 19: a run that declares `ctx.write` writes and publishes a topic whose schema marks fields
 * `"x-busline-pii": "encrypt"` parks its events in its dedupe record (docs/dedupe.md,
 * "Transactional effects") already sealed: the dedupe table never holds the plaintext of those
 * fields, and every send of the parked events (the run's own, or a later attempt's after a
 * failed send) puts those same envelopes on the bus, not encrypted a second time.
 *
 * Over the wire against moto_server: KMS (GenerateDataKey, Decrypt), DynamoDB (the dedupe table
 * and the handler's table, TransactWriteItems), EventBridge (a rule to a queue: what a downstream
 * subscriber receives) and SQS.
 *
 * The AWS rules modelled: "TransactWriteItems" (DynamoDB API Reference,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
 * the writes and the dedupe record's update are applied together or not at all, so what the
 * record parks is stored exactly when the writes are; "GenerateDataKey" (AWS KMS API Reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html): each call returns
 * a new data key, so two encryptions of one value never give the same envelope (a resend that
 * encrypted again would show a different `key` and `ciphertext`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ScanCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { SQSRecord } from 'aws-lambda';
import { createPublisher, wrapHandler, type PublishInput } from '../../../lib/runtime/index.ts';
import { ENVELOPE_MARK } from '../../../lib/runtime/pii-envelope.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing } from '../../support/moto-server.ts';
import { loadValidators } from '../../support/fixture-validators.ts';
import { createDedupeTable, createStringKeyTable, readDedupeItem, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { receiveBatch } from '../../support/sqs-batch.ts';
import { lambdaContext } from '../fixtures/flow.ts';
import { startMotoEnv, type MotoEnv } from '../fixtures/moto-env.ts';
import { PII_SCHEMAS_DIR, PII_TOPICS, piiSubscriptionConfig } from '../fixtures/pii-flow.ts';

const skip = motoServerMissing();
const validators = skip ? {} : await loadValidators(PII_SCHEMAS_DIR);
const TABLE = 'Welcomes';
let env: MotoEnv;
let kms: KMSClient;
let dynamodb: DynamoDBClient;
let keyArn: string;
before(async () => {
  if (skip) return;
  env = await startMotoEnv();
  const config = { endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  kms = new KMSClient(config);
  dynamodb = testDynamoDbClient(env.moto.endpoint);
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'pii' }))).KeyMetadata!.Arn!;
  await createStringKeyTable(dynamodb, TABLE, 'customerId');
});
after(async () => {
  kms?.destroy();
  dynamodb?.destroy();
  await env?.close();
});

let n = 0;
/** An address no other test uses, so finding it anywhere means it leaked from here. */
const uniqueEmail = () => `welcome-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}@example.com`;

interface Registered {
  customerId: string;
  email: string;
}

/** A customer.registered event as the subscriber's queue delivers it (its email sealed by the producer). */
async function registered(data: Registered): Promise<SQSRecord[]> {
  const { busName, queueUrl } = await env.busWithQueue(['customer.registered']);
  await createPublisher({ topics: PII_TOPICS, validators, busName, client: env.eventBridge, piiKeyId: keyArn }).publish('customer.registered', data);
  const records = await receiveBatch(env.sqs, queueUrl, 1);
  assert.equal(records.length, 1, 'the event reached the queue');
  return records;
}

/**
 * An EventBridge client whose PutEvents fails while `down` is set (what a send that fails after
 * the commit looks like to the runtime), and which keeps each entry's Detail it passed on.
 */
function switchableEventBridge(): { client: EventBridgeClient; sent: string[]; setDown(down: boolean): void } {
  const sent: string[] = [];
  let down = false;
  const client = new EventBridgeClient({ endpoint: env.moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'PutEventsCommand') {
      if (down) throw Object.assign(new Error('EventBridge is unreachable'), { name: 'AccessDeniedException' });
      for (const entry of (args.input as { Entries: Array<{ Detail: string }> }).Entries) sent.push(entry.Detail);
    }
    return next(args);
  }, { step: 'initialize', name: 'switchable' });
  return { client, sent, setDown: (d) => (down = d) };
}

const welcome = (customerId: string): TransactWriteItem => ({
  Update: { TableName: TABLE, Key: { customerId: { S: customerId } }, UpdateExpression: 'ADD welcomes :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
});

/** A subscriber of customer.registered that records a welcome (ctx.write) and publishes customer.welcomed with the email. */
async function welcomer(busName: string, eventBridgeClient: EventBridgeClient) {
  const dedupeTable = await createDedupeTable(dynamodb, 'parked');
  const runs = { count: 0 };
  const handler = wrapHandler<Registered>(async (data, ctx) => {
    runs.count++;
    ctx.write(welcome(data.customerId));
    await ctx.publish('customer.welcomed', { customerId: data.customerId, email: data.email });
  }, {
    config: { ...piiSubscriptionConfig('customer.registered', ['customer.welcomed']), dedupe: { ttlSeconds: 86_400 } },
    validators,
    busName,
    eventBridgeClient,
    piiKeyId: keyArn,
    dedupe: { tableName: dedupeTable, client: dynamodb },
    output: () => undefined,
  });
  return { handler, dedupeTable, runs };
}

/** Every item of the dedupe table, raw (dedupe records and attempt counts alike). */
async function rawItems(tableName: string): Promise<Array<Record<string, AttributeValue>>> {
  return (await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
}

/** The raw dedupe record of `record` (key: subscription # metadata.id). */
async function dedupeRecord(tableName: string, record: SQSRecord): Promise<Record<string, AttributeValue>> {
  const id = (JSON.parse(record.body) as { detail: { metadata: { id: string } } }).detail.metadata.id;
  const item = await readDedupeItem(dynamodb, tableName, `on-customer-registered#${id}`);
  assert.ok(item, 'the run has a dedupe record');
  return item;
}

/** What a subscriber of customer.welcomed receives from `record`: its runtime decrypts, then validates. */
async function decryptedBySubscriber(record: SQSRecord): Promise<unknown[]> {
  const received: unknown[] = [];
  const subscriber = wrapHandler(async (data) => {
    received.push(data);
  }, { config: piiSubscriptionConfig('customer.welcomed'), validators, piiKeyId: keyArn, output: () => undefined });
  assert.deepEqual(await subscriber({ Records: [record] }, lambdaContext()), { batchItemFailures: [] });
  return received;
}

test('the events a run parks beside its writes hold each encrypted field as an envelope, none of its plaintext', { skip }, async () => {
  const email = uniqueEmail();
  const records = await registered({ customerId: 'c-park', email });
  const { busName } = await env.busWithQueue(['customer.welcomed']);
  const bus = switchableEventBridge();
  const { handler, dedupeTable } = await welcomer(busName, bus.client);
  // The send after the commit fails: the record stays PUBLISHING, its events parked.
  bus.setDown(true);
  const response = await handler({ Records: records }, lambdaContext());
  assert.equal(response?.batchItemFailures.length, 1, 'the record is retried');

  const item = await dedupeRecord(dedupeTable, records[0]!);
  assert.equal(item['status']?.S, 'PUBLISHING');
  assert.ok(!JSON.stringify(await rawItems(dedupeTable)).includes(email), 'the dedupe table holds no plaintext of the encrypted field');
  const parked = JSON.parse(item['parkedEvents']!.S!) as PublishInput[];
  assert.deepEqual(parked.map((e) => e.topic), ['customer.welcomed']);
  const data = parked[0]!.data as { customerId: string; email: Record<string, unknown> };
  assert.equal(data.customerId, 'c-park', 'fields not marked encrypt are parked as published');
  assert.equal(data.email[ENVELOPE_MARK], 1, 'the encrypted field is parked as its envelope');
  bus.client.destroy();
});

test('the event a run with writes publishes reaches the subscriber sealed, and decrypts there to the plaintext', { skip }, async () => {
  const email = uniqueEmail();
  const records = await registered({ customerId: 'c-sent', email });
  const { busName, queueUrl } = await env.busWithQueue(['customer.welcomed']);
  const { handler, dedupeTable } = await welcomer(busName, env.eventBridge);
  assert.deepEqual(await handler({ Records: records }, lambdaContext()), { batchItemFailures: [] });
  assert.equal((await dedupeRecord(dedupeTable, records[0]!))['status']?.S, 'COMPLETED');

  const [welcomed] = await receiveBatch(env.sqs, queueUrl, 1);
  assert.ok(!welcomed!.body.includes(email), 'the event on the bus holds no plaintext');
  assert.equal(JSON.parse(welcomed!.body).detail.data.email[ENVELOPE_MARK], 1);
  assert.deepEqual(await decryptedBySubscriber(welcomed!), [{ customerId: 'c-sent', email }], 'the subscriber gets the plaintext, as validated (an envelope wrapped twice would fail its schema)');
});

test('a later attempt sends the parked events unchanged: the same envelopes, not encrypted again, and the handler does not run again', { skip }, async () => {
  const email = uniqueEmail();
  const records = await registered({ customerId: 'c-resend', email });
  const { busName, queueUrl } = await env.busWithQueue(['customer.welcomed']);
  const bus = switchableEventBridge();
  const { handler, dedupeTable, runs } = await welcomer(busName, bus.client);
  bus.setDown(true);
  assert.equal((await handler({ Records: records }, lambdaContext()))?.batchItemFailures.length, 1);
  const parked = JSON.parse((await dedupeRecord(dedupeTable, records[0]!))['parkedEvents']!.S!) as PublishInput[];

  bus.setDown(false);
  assert.deepEqual(await handler({ Records: records }, lambdaContext()), { batchItemFailures: [] });
  assert.equal(runs.count, 1, 'the retry sent the parked events without running the handler');
  assert.equal((await dedupeRecord(dedupeTable, records[0]!))['status']?.S, 'COMPLETED');
  assert.equal(bus.sent.length, 1, 'one event went out');
  const sent = JSON.parse(bus.sent[0]!) as { metadata: { id: string }; data: unknown };
  assert.equal(sent.metadata.id, parked[0]!.id, 'with the parked id');
  assert.deepEqual(sent.data, parked[0]!.data, 'and exactly the parked data: the same envelope, not a new one around it');

  const [welcomed] = await receiveBatch(env.sqs, queueUrl, 1);
  assert.deepEqual(await decryptedBySubscriber(welcomed!), [{ customerId: 'c-resend', email }]);
  bus.client.destroy();
});

test('an event parked with its plaintext (by a runtime that sealed only at send) is sealed when a later attempt sends it', { skip }, async () => {
  const email = uniqueEmail();
  const records = await registered({ customerId: 'c-legacy', email });
  const { busName, queueUrl } = await env.busWithQueue(['customer.welcomed']);
  const bus = switchableEventBridge();
  const { handler, dedupeTable } = await welcomer(busName, bus.client);
  bus.setDown(true);
  assert.equal((await handler({ Records: records }, lambdaContext()))?.batchItemFailures.length, 1);
  // What the runtime before issue 19 parked: the event as published, its email in plaintext.
  const item = await dedupeRecord(dedupeTable, records[0]!);
  const parked = JSON.parse(item['parkedEvents']!.S!) as PublishInput[];
  const plaintext = parked.map((e) => ({ ...e, data: { customerId: 'c-legacy', email } }));
  await dynamodb.send(new UpdateItemCommand({ TableName: dedupeTable, Key: { pk: item['pk']! }, UpdateExpression: 'SET parkedEvents = :p', ExpressionAttributeValues: { ':p': { S: JSON.stringify(plaintext) } } }));

  bus.setDown(false);
  assert.deepEqual(await handler({ Records: records }, lambdaContext()), { batchItemFailures: [] });
  assert.equal(bus.sent.length, 1);
  assert.ok(!bus.sent[0]!.includes(email), 'the plaintext did not go on the wire');
  const [welcomed] = await receiveBatch(env.sqs, queueUrl, 1);
  assert.deepEqual(await decryptedBySubscriber(welcomed!), [{ customerId: 'c-legacy', email }]);
  bus.client.destroy();
});
