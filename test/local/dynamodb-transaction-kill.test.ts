/**
 * A transaction of the engine's DynamoDB is atomic across kill -9: the backend runs in a child
 * process on a LevelDB folder, transactions of 20 Puts each are sent without pause, the child is
 * killed with SIGKILL while some are in flight, and a backend reopened on the same folder holds,
 * for every transaction, all of its 20 items or none, and every acknowledged one.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateTableCommand, DynamoDBClient, ScanCommand, TransactWriteItemsCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb } from '../../lib/local/dynamodb/start-local-dynamodb.ts';

const dir = mkdtempSync(join(tmpdir(), 'busline-ddb-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ITEMS_PER_TRANSACTION = 20;
const IN_FLIGHT = 8;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

async function startChild(): Promise<{ endpoint: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/local-dynamodb-process.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the DynamoDB child exited (${code}) before listening`)));
  });
  return {
    endpoint: (JSON.parse(line) as { endpoint: string }).endpoint,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test('after kill -9 mid-stream, every transaction is wholly present or wholly absent, and every acknowledged one is present', { timeout: 120_000 }, async () => {
  const child = await startChild();
  const client = new DynamoDBClient({ ...aws, endpoint: child.endpoint, maxAttempts: 1 });
  await client.send(new CreateTableCommand({
    TableName: 'Pairs',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const acknowledged = new Set<number>();
  let next = 0;
  // Writers run until their own call fails: the kill lands while they are still sending, so
  // calls are in flight at it even when the child had already answered the ones before.
  const writer = async (): Promise<void> => {
    for (;;) {
      const txn = next++;
      const items = Array.from({ length: ITEMS_PER_TRANSACTION }, (_, j) => ({ Put: { TableName: 'Pairs', Item: { id: { S: `${txn}-${j}` }, txn: { N: String(txn) } } } }));
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        acknowledged.add(txn);
      } catch {
        return; // the child is gone
      }
    }
  };
  const writers = Array.from({ length: IN_FLIGHT }, writer);
  while (acknowledged.size < 200) await new Promise((resolve) => setTimeout(resolve, 5));
  await child.kill();
  await Promise.all(writers);
  client.destroy();

  const reopened = await startLocalDynamoDb({ path: dir });
  const reader = new DynamoDBClient({ ...aws, endpoint: reopened.endpoint });
  try {
    const perTxn = new Map<number, number>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await reader.send(new ScanCommand({ TableName: 'Pairs', ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const txn = Number(item['txn']!.N);
        perTxn.set(txn, (perTxn.get(txn) ?? 0) + 1);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    const torn = [...perTxn].filter(([, n]) => n !== ITEMS_PER_TRANSACTION);
    assert.deepEqual(torn, [], 'transactions with only part of their items');
    assert.deepEqual([...acknowledged].filter((txn) => !perTxn.has(txn)), [], 'acknowledged transactions missing');
    assert.ok(next > acknowledged.size, 'some transactions were in flight at the kill');
  } finally {
    reader.destroy();
    await reopened.stop();
  }
});
