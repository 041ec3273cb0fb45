/**
 * A DynamoDB client and a dedupe table shaped as the constructs create it
 * (partition key `pk` string), on a test endpoint. TTL is not enabled: dynalite does not
 * implement it, and the store checks expiry in code, never relying on TTL deletion.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';

export function testDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });
}

let tableCounter = 0;

/** Creates a fresh table (unique name per call) and returns its name. */
export async function createDedupeTable(client: DynamoDBClient, prefix = 'dedupe'): Promise<string> {
  const tableName = `${prefix}-${process.pid}-${++tableCounter}`;
  await createStringKeyTable(client, tableName, 'pk');
  return tableName;
}

/** Creates an on-demand table keyed by one string attribute and waits until it is ACTIVE. */
export async function createStringKeyTable(client: DynamoDBClient, tableName: string, key: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilActive(client, tableName);
}

/**
 * A table answers ResourceNotFoundException until it is ACTIVE. dynalite flips it from
 * CREATING on a timer even with createTableMs 0, and with a disk-backed store on a loaded
 * machine that write can land after the next request: wait for it, as with real DynamoDB.
 */
export async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} still ${out.Table?.TableStatus} after 30 s`);
    await sleep(10);
  }
}

/** The raw item stored under `pk`, read consistently (undefined when absent). */
export async function readDedupeItem(
  client: DynamoDBClient,
  tableName: string,
  pk: string,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }));
  return out.Item;
}
