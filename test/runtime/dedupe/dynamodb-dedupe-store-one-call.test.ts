/**
 * The lock conflict costs DynamoDB one call: the failed conditional PutItem
 * returns the holder (ReturnValuesOnConditionCheckFailure: ALL_OLD). moto_server and
 * the local engine's DynamoDB implement that parameter, so they show the single-call
 * path; plain dynalite ignores it, so there the store falls back to one consistent GetItem.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDedupeStore } from '../../../lib/runtime/dedupe/dynamodb-dedupe-store.ts';
import { startDynalite, startRawDynalite } from '../../support/dynalite.ts';
import { createDedupeTable, testDynamoDbClient } from '../../support/dedupe-table.ts';
import { motoServerMissing, startMotoServer, type MotoServer } from '../../support/moto-server.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const noMoto = motoServerMissing();

/** Records the name of every command the client sends. */
function countCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context['commandName']));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return sent;
}

async function conflictOnCompletedKey(endpoint: string): Promise<{ sent: string[]; result: unknown }> {
  const client = testDynamoDbClient(endpoint);
  try {
    const tableName = await createDedupeTable(client, 'one-call');
    const store = new DynamoDbDedupeStore({ tableName, client });
    const lock = await store.acquire('sub#k', { nowMs: T0, lockExpiresAtMs: T0 + 60_000 });
    if (lock.outcome !== 'acquired') assert.fail('expected the lock');
    await store.complete('sub#k', lock.token, { nowMs: T0 + 10, expiresAtMs: T0 + 86_400_000 });
    const sent = countCommands(client);
    const result = await store.acquire('sub#k', { nowMs: T0 + 1_000, lockExpiresAtMs: T0 + 61_000 });
    return { sent, result };
  } finally {
    client.destroy();
  }
}

let moto: MotoServer | undefined;
before(async () => {
  if (!noMoto) moto = await startMotoServer();
});
after(async () => {
  await moto?.stop();
});

test('against moto_server a duplicate is recognised from the failed PutItem alone, with no read-back', { skip: noMoto }, async () => {
  const { sent, result } = await conflictOnCompletedKey(moto!.endpoint);
  assert.deepEqual(sent, ['PutItemCommand']);
  assert.deepEqual(result, { outcome: 'completed', processedAtMs: T0 + 10, expiresAtMs: T0 + 86_400_000 });
});

test("against the local engine's DynamoDB a duplicate is recognised from the failed PutItem alone, too", async () => {
  const dynamo = await startDynalite();
  try {
    const { sent, result } = await conflictOnCompletedKey(dynamo.endpoint);
    assert.deepEqual(sent, ['PutItemCommand']);
    assert.deepEqual(result, { outcome: 'completed', processedAtMs: T0 + 10, expiresAtMs: T0 + 86_400_000 });
  } finally {
    await dynamo.stop();
  }
});

test('against plain dynalite, which drops ALL_OLD, the store reads the holder back once and reaches the same answer', async () => {
  const dynamo = await startRawDynalite();
  try {
    const { sent, result } = await conflictOnCompletedKey(dynamo.endpoint);
    assert.deepEqual(sent, ['PutItemCommand', 'GetItemCommand']);
    assert.deepEqual(result, { outcome: 'completed', processedAtMs: T0 + 10, expiresAtMs: T0 + 86_400_000 });
  } finally {
    await dynamo.stop();
  }
});
