/**
 * A DynamoDB client and a dedupe table shaped as the constructs create it
 * (partition key `pk` string), on a test endpoint. TTL is not enabled: dynalite does not
 * implement it, and the store checks expiry in code, never relying on TTL deletion.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

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
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
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
