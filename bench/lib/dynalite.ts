/**
 * dynalite (an in-process DynamoDB speaking the wire protocol) on 127.0.0.1 with a free
 * port, for rows and handlers whose dedupe or writes go to "DynamoDB over the wire".
 */
import { CreateTableCommand, DynamoDBClient, type KeySchemaElement, type AttributeDefinition } from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// dynalite is CommonJS without type declarations: describe the one call used.
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

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
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
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
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
