/**
 * The local engine's DynamoDB backend (dynalite's store, in process, plus TransactWriteItems,
 * which the reference handlers' declared writes need) on 127.0.0.1 with a free port, for rows
 * and handlers whose dedupe or writes go to "DynamoDB over the wire".
 */
import { CreateTableCommand, DynamoDBClient, type KeySchemaElement, type AttributeDefinition } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb } from '../../lib/local/dynamodb/start-local-dynamodb.ts';

export interface LocalDynamo {
  readonly endpoint: string;
  /** A client with dummy credentials pointed at the endpoint. */
  client(): DynamoDBClient;
  createTable(name: string, hashKey: string, rangeKey?: string): Promise<void>;
  close(): Promise<void>;
}

export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
} as const;

export async function startDynalite(): Promise<LocalDynamo> {
  const local = await startLocalDynamoDb();
  const endpoint = local.endpoint;
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  return {
    endpoint,
    client: () => new DynamoDBClient({ ...LOCAL_AWS, endpoint }),
    async createTable(name, hashKey, rangeKey) {
      const keys: KeySchemaElement[] = [{ AttributeName: hashKey, KeyType: 'HASH' }];
      const attrs: AttributeDefinition[] = [{ AttributeName: hashKey, AttributeType: 'S' }];
      if (rangeKey) {
        keys.push({ AttributeName: rangeKey, KeyType: 'RANGE' });
        attrs.push({ AttributeName: rangeKey, AttributeType: 'S' });
      }
      await admin.send(new CreateTableCommand({ TableName: name, KeySchema: keys, AttributeDefinitions: attrs, BillingMode: 'PAY_PER_REQUEST' }));
    },
    async close() {
      admin.destroy();
      await local.stop();
    },
  };
}
